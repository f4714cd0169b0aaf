// Keyboard shortcuts and the help overlay (built with the workspace settings).
