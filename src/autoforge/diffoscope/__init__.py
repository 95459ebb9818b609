"""The intent diffoscope: a prompt's requirements against an evaluation's outputs."""
