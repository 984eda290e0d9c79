// The directory identities (AD, Entra) that are each CyberArk user (ASSUMES_USER) or group (IS_GROUP).
UNWIND $keys AS key
MATCH (:ArkNode {ark_key: key})<-[l:ASSUMES_USER|IS_GROUP]-(d:ArkNode)
RETURN key AS target, d AS node, l.match_rule AS matchRule
