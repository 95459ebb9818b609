"""promptfoo interoperability: import a promptfooconfig.yaml, export a prompt and dataset as one."""
