// How many HAS_EFFECTIVE_PERMISSION edges into a resource match (the filter of effective_into.cypher), and the
// roles among their principals whose members cannot be listed (dynamic roles: the answer's warnings).
MATCH (p:ArkNode)-[e:HAS_EFFECTIVE_PERMISSION]->(:ArkNode {ark_key: $key})
WHERE CASE WHEN $permission IS NULL THEN size(e.permissions) > 0 ELSE $permission IN e.permissions END
RETURN count(e) AS total,
       collect(CASE WHEN p.ark_kind = 'CyberArkRole' AND p.members_unknown = true THEN p END) AS dynamicRoles
