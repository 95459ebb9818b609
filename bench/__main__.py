"""`python -m bench` runs every benchmark in turn."""

from bench import bulk_insert, evaluation, llm_gateway, local_model, prompts

if __name__ == "__main__":
    bulk_insert.main()
    prompts.main()
    llm_gateway.main()
    evaluation.main()
    local_model.main()
