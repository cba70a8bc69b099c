"""fltrace: decodes Faultline's IPC log dumps (kernel/kernel/ipclog.c) from a
serial log into a timeline, a per-fault breakdown, statistics and a
Chrome/Perfetto trace-event file. Every constant comes from the kernel's
headers and the IDL at run time (headers.py, names.py), never a copy."""
