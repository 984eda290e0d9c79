// Recent sync runs, newest first.
MATCH (r:SyncRun)
RETURN r
ORDER BY r.started_at DESC, r.id DESC
LIMIT $limit
