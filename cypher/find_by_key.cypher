// Nodes by graph key: $keys is a list of "<Kind>|<id>" strings.
MATCH (n:ArkNode)
WHERE n.ark_key IN $keys
RETURN n
