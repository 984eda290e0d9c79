// HAS_EFFECTIVE_PERMISSION edges into one resource (a safe or an application), with their principals.
MATCH (p:ArkNode)-[e:HAS_EFFECTIVE_PERMISSION]->(:ArkNode {ark_key: $key})
RETURN p AS node, properties(e) AS props
