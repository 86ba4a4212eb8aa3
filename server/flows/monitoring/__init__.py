"""绩效运行监控·纠偏 (workflows/monitoring, forms/monitoring): reports, colours, corrections; registered in flow.py."""
