/**
 * A small ShopFlow dataset with hand-computed answers to the four analytics of
 * sql/analytics/basic_analytics.sql. Rows are in the source CSV shape. It exercises: the top-10
 * limit with a tie at the boundary (customers 10, 12 and 13 all spent 8.00), a three-way units tie
 * inside a category (products 101, 102, 104), byte-order category sorting ('Books' < 'Toys' <
 * 'electronics'), UTC month boundaries given in other offsets, a superseded customer version, and
 * a half-cent average order value (ES: 20.01 / 2 = 10.005 → 10.01).
 */
export const fixtureCustomers = [
  {
    customer_id: 1,
    name: 'Ann',
    email: 'ann@old.example',
    registration_date: '2023-01-02',
    country: 'CA',
    updated_at: '2023-01-02T00:00:00Z',
  },
  {
    customer_id: 1,
    name: 'Ann',
    email: 'ann@example.com',
    registration_date: '2023-01-02',
    country: 'US',
    updated_at: '2023-06-01T00:00:00Z',
  },
  {
    customer_id: 2,
    name: 'Bob',
    email: 'bob@example.com',
    registration_date: '2023-01-03',
    country: 'DE',
    updated_at: '2023-01-03T00:00:00Z',
  },
  {
    customer_id: 3,
    name: 'Cho',
    email: 'cho@example.com',
    registration_date: '2023-01-04',
    country: 'US',
    updated_at: '2023-01-04T00:00:00Z',
  },
  {
    customer_id: 4,
    name: 'Dee',
    email: 'dee@example.com',
    registration_date: '2023-01-05',
    country: 'FR',
    updated_at: '2023-01-05T00:00:00Z',
  },
  {
    customer_id: 5,
    name: 'Eve',
    email: 'eve@example.com',
    registration_date: '2023-01-06',
    country: 'DE',
    updated_at: '2023-01-06T00:00:00Z',
  },
  {
    customer_id: 6,
    name: 'Fay',
    email: 'fay@example.com',
    registration_date: '2023-01-07',
    country: 'GB',
    updated_at: '2023-01-07T00:00:00Z',
  },
  {
    customer_id: 7,
    name: 'Gus',
    email: 'gus@example.com',
    registration_date: '2023-01-08',
    country: 'US',
    updated_at: '2023-01-08T00:00:00Z',
  },
  {
    customer_id: 8,
    name: 'Hal',
    email: 'hal@example.com',
    registration_date: '2023-01-09',
    country: 'FR',
    updated_at: '2023-01-09T00:00:00Z',
  },
  {
    customer_id: 9,
    name: 'Ivy',
    email: 'ivy@example.com',
    registration_date: '2023-01-10',
    country: 'JP',
    updated_at: '2023-01-10T00:00:00Z',
  },
  {
    customer_id: 10,
    name: 'Jon',
    email: 'jon@example.com',
    registration_date: '2023-01-11',
    country: 'JP',
    updated_at: '2023-01-11T00:00:00Z',
  },
  {
    customer_id: 11,
    name: 'Kim',
    email: 'kim@example.com',
    registration_date: '2023-01-12',
    country: 'ES',
    updated_at: '2023-01-12T00:00:00Z',
  },
  {
    customer_id: 12,
    name: 'Lou',
    email: 'lou@example.com',
    registration_date: '2023-01-13',
    country: 'ES',
    updated_at: '2023-01-13T00:00:00Z',
  },
  {
    customer_id: 13,
    name: 'Max',
    email: 'max@example.com',
    registration_date: '2023-01-14',
    country: 'BR',
    updated_at: '2023-01-14T00:00:00Z',
  },
  {
    customer_id: 14,
    name: 'Ned',
    email: 'ned@example.com',
    registration_date: '2023-01-15',
    country: 'NZ',
    updated_at: '2023-01-15T00:00:00Z',
  },
];

export const fixtureProducts = [
  {
    product_id: 101,
    name: 'Atlas',
    category: 'Books',
    price: '20.00',
    supplier: 'Paper Co',
    updated_at: '2023-01-01T00:00:00Z',
  },
  {
    product_id: 102,
    name: 'Bible',
    category: 'Books',
    price: '15.00',
    supplier: 'Paper Co',
    updated_at: '2023-01-01T00:00:00Z',
  },
  {
    product_id: 103,
    name: 'Comic',
    category: 'Books',
    price: '5.00',
    supplier: 'Ink Ltd',
    updated_at: '2023-01-01T00:00:00Z',
  },
  {
    product_id: 104,
    name: 'Diary',
    category: 'Books',
    price: '8.00',
    supplier: 'Ink Ltd',
    updated_at: '2023-01-01T00:00:00Z',
  },
  {
    product_id: 201,
    name: 'Yo-yo',
    category: 'Toys',
    price: '3.50',
    supplier: 'Fun GmbH',
    updated_at: '2023-01-01T00:00:00Z',
  },
  {
    product_id: 202,
    name: 'Kite',
    category: 'Toys',
    price: '12.00',
    supplier: 'Fun GmbH',
    updated_at: '2023-01-01T00:00:00Z',
  },
  {
    product_id: 301,
    name: 'Phone',
    category: 'electronics',
    price: '300.00',
    supplier: 'Volt Inc',
    updated_at: '2023-01-01T00:00:00Z',
  },
];

const t = (
  transaction_id: number,
  customer_id: number,
  product_id: number,
  quantity: number,
  unit_price: string,
  timestamp: string,
  payment_method: string,
) => ({
  transaction_id,
  customer_id,
  product_id,
  quantity,
  unit_price,
  timestamp,
  payment_method,
  delivery_date: timestamp.slice(0, 10),
});

export const fixtureTransactions = [
  t(1, 1, 301, 1, '300.00', '2024-03-20T08:00:00Z', 'credit_card'),
  t(2, 2, 101, 2, '20.00', '2024-01-10T12:00:00Z', 'paypal'),
  // 2024-01-31T23:30Z: January in UTC although the local date is February 1st.
  t(3, 3, 103, 3, '5.00', '2024-02-01T01:30:00+02:00', 'credit_card'),
  // 2024-02-01T00:10Z: February in UTC although the local date is January 31st.
  t(4, 4, 201, 2, '3.50', '2024-01-31T22:10:00-02:00', 'debit_card'),
  t(5, 5, 102, 3, '15.00', '2024-02-14T09:00:00Z', 'paypal'),
  t(6, 6, 101, 1, '20.00', '2024-02-20T09:00:00Z', 'credit_card'),
  t(7, 7, 202, 1, '12.00', '2024-02-29T23:59:59Z', 'credit_card'),
  t(8, 8, 103, 2, '5.00', '2024-03-01T10:00:00Z', 'debit_card'),
  t(9, 9, 201, 2, '3.50', '2024-03-02T10:00:00Z', 'paypal'),
  t(10, 10, 104, 1, '8.00', '2024-03-03T10:00:00Z', 'credit_card'),
  t(11, 11, 202, 1, '12.01', '2024-03-10T10:00:00Z', 'gift_card'),
  t(12, 12, 104, 1, '8.00', '2024-03-15T10:00:00Z', 'credit_card'),
  t(13, 13, 104, 1, '8.00', '2024-04-02T00:00:00Z', 'paypal'),
];

/** Expected rows, every value as text (null stays null). */
export const expectedAnalytics = {
  top_customers: [
    { customer_id: '1', name: 'Ann', country: 'US', transactions: '1', units: '1', total_spent: '300.00' },
    { customer_id: '5', name: 'Eve', country: 'DE', transactions: '1', units: '3', total_spent: '45.00' },
    { customer_id: '2', name: 'Bob', country: 'DE', transactions: '1', units: '2', total_spent: '40.00' },
    { customer_id: '6', name: 'Fay', country: 'GB', transactions: '1', units: '1', total_spent: '20.00' },
    { customer_id: '3', name: 'Cho', country: 'US', transactions: '1', units: '3', total_spent: '15.00' },
    { customer_id: '11', name: 'Kim', country: 'ES', transactions: '1', units: '1', total_spent: '12.01' },
    { customer_id: '7', name: 'Gus', country: 'US', transactions: '1', units: '1', total_spent: '12.00' },
    { customer_id: '8', name: 'Hal', country: 'FR', transactions: '1', units: '2', total_spent: '10.00' },
    { customer_id: '10', name: 'Jon', country: 'JP', transactions: '1', units: '1', total_spent: '8.00' },
    { customer_id: '12', name: 'Lou', country: 'ES', transactions: '1', units: '1', total_spent: '8.00' },
  ],
  best_sellers_by_category: [
    { category: 'Books', category_rank: '1', product_id: '103', name: 'Comic', units: '5', revenue: '25.00' },
    { category: 'Books', category_rank: '2', product_id: '101', name: 'Atlas', units: '3', revenue: '60.00' },
    { category: 'Books', category_rank: '3', product_id: '102', name: 'Bible', units: '3', revenue: '45.00' },
    { category: 'Toys', category_rank: '1', product_id: '201', name: 'Yo-yo', units: '4', revenue: '14.00' },
    { category: 'Toys', category_rank: '2', product_id: '202', name: 'Kite', units: '2', revenue: '24.01' },
    {
      category: 'electronics',
      category_rank: '1',
      product_id: '301',
      name: 'Phone',
      units: '1',
      revenue: '300.00',
    },
  ],
  monthly_revenue: [
    {
      month: '2024-01-01',
      transactions: '2',
      units: '5',
      revenue: '55.00',
      revenue_change: null,
      revenue_change_pct: null,
    },
    {
      month: '2024-02-01',
      transactions: '4',
      units: '7',
      revenue: '84.00',
      revenue_change: '29.00',
      revenue_change_pct: '52.73',
    },
    {
      month: '2024-03-01',
      transactions: '6',
      units: '8',
      revenue: '345.01',
      revenue_change: '261.01',
      revenue_change_pct: '310.73',
    },
    {
      month: '2024-04-01',
      transactions: '1',
      units: '1',
      revenue: '8.00',
      revenue_change: '-337.01',
      revenue_change_pct: '-97.68',
    },
  ],
  aov_by_country: [
    { country: 'US', orders: '3', revenue: '327.00', average_order_value: '109.00' },
    { country: 'DE', orders: '2', revenue: '85.00', average_order_value: '42.50' },
    { country: 'GB', orders: '1', revenue: '20.00', average_order_value: '20.00' },
    { country: 'ES', orders: '2', revenue: '20.01', average_order_value: '10.01' },
    { country: 'FR', orders: '2', revenue: '17.00', average_order_value: '8.50' },
    { country: 'BR', orders: '1', revenue: '8.00', average_order_value: '8.00' },
    { country: 'JP', orders: '2', revenue: '15.00', average_order_value: '7.50' },
  ],
};

/** Every value as text (dates as YYYY-MM-DD), null kept, so rows of both engines compare equal. */
export function asText(rows: Array<Record<string, unknown>>): Array<Record<string, string | null>> {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        value === null || value === undefined
          ? null
          : value instanceof Date
            ? value.toISOString().slice(0, 10)
            : String(value),
      ]),
    ),
  );
}

/** Latest version per customer, as the silver layer keeps it. */
export function latestCustomers(): typeof fixtureCustomers {
  const latest = new Map<number, (typeof fixtureCustomers)[number]>();
  for (const row of fixtureCustomers) {
    const seen = latest.get(row.customer_id);
    if (!seen || seen.updated_at < row.updated_at) latest.set(row.customer_id, row);
  }
  return [...latest.values()];
}
