// One page of the HAS_EFFECTIVE_PERMISSION edges into a resource (a safe or an application), with their principals,
// in answer order: kind ($kindRank, principal kinds first), lower-cased name, id. Only edges whose permissions
// include $permission; with $permission null, edges with any permission.
MATCH (p:ArkNode)-[e:HAS_EFFECTIVE_PERMISSION]->(:ArkNode {ark_key: $key})
WHERE CASE WHEN $permission IS NULL THEN size(e.permissions) > 0 ELSE $permission IN e.permissions END
RETURN p AS node, properties(e) AS props
ORDER BY coalesce($kindRank[p.ark_kind], $otherRank), p.ark_name_lower, p.id
SKIP $offset
LIMIT $limit
