// Every name and native id of nodes of the given kinds (for "did you mean" suggestions: an account is often asked
// for by its id, e.g. 35_3).
MATCH (n:ArkNode)
WHERE n.ark_kind IN $kinds
RETURN n.ark_name AS name, n.native_id AS native
