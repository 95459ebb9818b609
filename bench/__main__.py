"""`python -m bench` runs every benchmark in turn."""

from bench import bulk_insert

if __name__ == "__main__":
    bulk_insert.main()
