// Edges the effective-permission phase reads, with the same staleness rule as access_graph_nodes.cypher.
MATCH (a:ArkNode)-[r:HAS_ROLE|MEMBER_OF|ASSUMES_USER|IS_GROUP|SAFE_MEMBER|CAN_ACCESS]->(b:ArkNode)
WHERE a.ark_kind IN $kinds AND b.ark_kind IN $kinds
  AND NOT (r.sync_id <> $syncId AND r.source + '|' + r.tenant_id IN $completed)
RETURN a.ark_key AS from, b.ark_key AS to, type(r) AS kind, properties(r) AS props
