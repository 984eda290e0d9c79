// Nodes of the given kinds whose lower-cased native id equals $value.
MATCH (n:ArkNode)
WHERE n.ark_native_lower = $value AND n.ark_kind IN $kinds
RETURN n
