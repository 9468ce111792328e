-- The breakdown cells of the given communes ($ids), secrecy decided, as the build stored them
-- (table repartitions_communes, written by esscore.indicators.build_indicator_tables with the code that computes
-- them for any other territory, esscore.indicators.cellules_repartition), in the order they were computed.
SELECT * EXCLUDE (rang) FROM repartitions_communes WHERE list_contains($ids::VARCHAR[], id) ORDER BY rang
