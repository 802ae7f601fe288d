import type { SqlFragment } from '../../framework/index.js';

/**
 * Signed-in sessions by customer and day (the shape of `customer_click_sessions`) from the daily
 * batch, plus the sessions the live stream built that the batch does not have (yet): the feature
 * SQL reads both without counting a session twice.
 *
 * @example
 * customerFeatureSql({ …, sessions: sessionsWithStream(deps.sessions, deps.streamSessions) })
 */
export function sessionsWithStream(batch: SqlFragment, stream: SqlFragment): SqlFragment {
  return {
    toSql: () => `(select customer_id, session_id, event_date, events, product_views, add_to_carts, purchases,
        first_event_ts, last_event_ts
      from ${batch.toSql()}
      union all
      select s.customer_id, s.session_id, s.session_start::DATE as event_date, s.events::INTEGER as events,
        s.product_views::INTEGER as product_views, s.cart_adds::INTEGER as add_to_carts,
        s.purchases::INTEGER as purchases, s.session_start as first_event_ts, s.session_end as last_event_ts
      from ${stream.toSql()} s
      where s.customer_id is not null
        and not exists (select 1 from ${batch.toSql()} b where b.session_id = s.session_id))`,
  };
}
