"""The knowledge-base report in the workspace (``/kb/report/``), for agents and admins."""
