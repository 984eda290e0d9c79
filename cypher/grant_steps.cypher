// The grant-carrying steps out of each node (src/graph/traversal.ts): HAS_ROLE, MEMBER_OF, IS_GROUP and
// ASSUMES_USER followed forward; ASSUMES_USER and IS_GROUP (identity equivalences) also followed backward.
UNWIND $keys AS key
MATCH (a:ArkNode {ark_key: key})
CALL (a) {
  MATCH (a)-[r:HAS_ROLE|MEMBER_OF|IS_GROUP|ASSUMES_USER]->(b:ArkNode)
  RETURN b, type(r) AS via, false AS reverse, coalesce(r.implicit, false) AS implicit
  UNION ALL
  MATCH (a)<-[r:ASSUMES_USER|IS_GROUP]-(b:ArkNode)
  RETURN b, type(r) AS via, true AS reverse, false AS implicit
}
RETURN key AS from, b AS node, via, reverse, implicit
