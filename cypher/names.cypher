// Every name of nodes of the given kinds (for "did you mean" suggestions).
MATCH (n:ArkNode)
WHERE n.ark_kind IN $kinds
RETURN n.ark_name AS name
