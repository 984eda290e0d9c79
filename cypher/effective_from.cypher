// HAS_EFFECTIVE_PERMISSION edges out of one principal, with their resources.
MATCH (:ArkNode {ark_key: $key})-[e:HAS_EFFECTIVE_PERMISSION]->(r:ArkNode)
RETURN r AS node, properties(e) AS props
