// Nodes the effective-permission phase reads: every kind in $kinds, leaving out stale rows of completed scopes
// ($completed: list of "<source>|<tenant id>"; a row is stale when written by another sync than $syncId).
MATCH (n:ArkNode)
WHERE n.ark_kind IN $kinds
  AND NOT (n.sync_id <> $syncId AND n.source + '|' + n.tenant_id IN $completed)
RETURN n
