"""重点绩效监控: the performance office's (or a third-party firm's) tracking of selected projects."""
