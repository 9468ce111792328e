-- Where the closure years come from: closed ESS establishments dated by the historical file or by the stock.
SELECT source_date, count(*)::BIGINT AS n FROM fermes_ess GROUP BY ALL
