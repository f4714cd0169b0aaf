// Real time: WebSocket client (built with the realtime app).
