// Nodes of the given kinds whose lower-cased name equals $value (already lower-cased by the caller).
MATCH (n:ArkNode)
WHERE n.ark_name_lower = $value AND n.ark_kind IN $kinds
RETURN n
