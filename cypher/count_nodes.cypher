// How many nodes of a kind match the (lower-cased) search; $search null means all.
MATCH (n:ArkNode)
WHERE n.ark_kind = $kind AND ($search IS NULL OR n.ark_name_lower CONTAINS $search)
RETURN count(n) AS total
