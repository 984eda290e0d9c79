// The safe that holds an account.
MATCH (s:ArkNode)-[:CONTAINS]->(:ArkNode {ark_key: $key})
RETURN s AS node
LIMIT 1
