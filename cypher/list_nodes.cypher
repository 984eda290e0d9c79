// One page of nodes of a kind, ordered by lower-cased name then id.
MATCH (n:ArkNode)
WHERE n.ark_kind = $kind AND ($search IS NULL OR n.ark_name_lower CONTAINS $search)
RETURN n
ORDER BY n.ark_name_lower, n.id
SKIP $offset
LIMIT $limit
