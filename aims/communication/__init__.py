"""Communication (7.4): the communication plan, the log of communications made and the
acknowledgements of the AI policy."""
