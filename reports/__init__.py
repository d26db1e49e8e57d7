"""The command line (``sbcheck``) and the LaTeX/PDF report; they iterate the registry and add no mathematics."""
