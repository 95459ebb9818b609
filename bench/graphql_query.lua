-- wrk script: POSTs GraphQL's prompts-with-versions query (50 prompts, each with up to 50
-- versions, and the fields the REST list and versions endpoints return). bench/graphql_vs_rest.py
-- reads the body from the `wrk.body` line below, so keep it on one line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query": "{ prompts(limit: 50) { items { id name title content status visibility version tags labels { name version } metadata parentId templateId createdAt updatedAt versions(limit: 50) { version title content kind config changeNote createdBy createdAt labels } } nextCursor } }"}'
