// SAFE_MEMBER edges from any of the nodes into one safe (expired ones included; the caller flags them).
MATCH (s:ArkNode {ark_key: $safeKey})
UNWIND $keys AS key
MATCH (:ArkNode {ark_key: key})-[m:SAFE_MEMBER]->(s)
RETURN key AS from, properties(m) AS props
