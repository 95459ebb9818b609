"""`python -m bench` runs every benchmark in turn."""

from bench import bulk_insert, llm_gateway

if __name__ == "__main__":
    bulk_insert.main()
    llm_gateway.main()
