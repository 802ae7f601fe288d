import { WeightedTable } from './seeded-random.js';

/** Customer countries (ISO 3166-1 alpha-2), weighted like a US-centred web shop. */
export const COUNTRIES = new WeightedTable<string>([
  ['US', 30],
  ['GB', 10],
  ['DE', 9],
  ['FR', 7],
  ['CA', 7],
  ['AU', 5],
  ['NL', 4],
  ['ES', 4],
  ['IT', 4],
  ['SE', 3],
  ['JP', 3],
  ['BR', 3],
  ['IN', 3],
  ['MX', 2],
  ['IE', 2],
  ['PL', 2],
  ['BE', 2],
  ['CH', 2],
  ['DK', 2],
  ['NO', 2],
]);

/** A product category with its price range in cents (prices are log-uniform inside it). */
export interface CategorySpec {
  name: string;
  slug: string;
  minCents: number;
  maxCents: number;
}

/** Product categories, weighted by how many products each has. */
export const CATEGORIES = new WeightedTable<CategorySpec>([
  [{ name: 'Electronics', slug: 'electronics', minCents: 1_999, maxCents: 149_999 }, 14],
  [{ name: 'Books', slug: 'books', minCents: 499, maxCents: 5_999 }, 12],
  [{ name: 'Clothing', slug: 'clothing', minCents: 799, maxCents: 19_999 }, 14],
  [{ name: 'Home & Kitchen', slug: 'home-kitchen', minCents: 999, maxCents: 39_999 }, 12],
  [{ name: 'Sports & Outdoors', slug: 'sports-outdoors', minCents: 999, maxCents: 49_999 }, 8],
  [{ name: 'Beauty', slug: 'beauty', minCents: 399, maxCents: 11_999 }, 8],
  [{ name: 'Toys & Games', slug: 'toys-games', minCents: 499, maxCents: 14_999 }, 8],
  [{ name: 'Grocery', slug: 'grocery', minCents: 199, maxCents: 4_999 }, 7],
  [{ name: 'Garden', slug: 'garden', minCents: 499, maxCents: 29_999 }, 6],
  [{ name: 'Automotive', slug: 'automotive', minCents: 999, maxCents: 59_999 }, 5],
  [{ name: 'Pet Supplies', slug: 'pet-supplies', minCents: 299, maxCents: 14_999 }, 4],
  [{ name: 'Office Products', slug: 'office-products', minCents: 199, maxCents: 19_999 }, 2],
]);

/** The payment methods a transaction can carry. */
export const PAYMENT_METHODS = [
  'credit_card',
  'debit_card',
  'paypal',
  'apple_pay',
  'bank_transfer',
  'gift_card',
] as const;

/** One of {@link PAYMENT_METHODS}. */
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** How often each payment method is used. */
export const PAYMENT_METHOD_WEIGHTS = new WeightedTable<PaymentMethod>([
  ['credit_card', 40],
  ['debit_card', 20],
  ['paypal', 18],
  ['apple_pay', 10],
  ['bank_transfer', 7],
  ['gift_card', 5],
]);

/** Units per transaction line. */
export const QUANTITIES = new WeightedTable<number>([
  [1, 70],
  [2, 18],
  [3, 7],
  [4, 3],
  [5, 2],
]);

/** Relative shop traffic per UTC hour (quiet nights, busy evenings). */
export const HOURLY_TRAFFIC: readonly number[] = [
  2, 1.2, 0.8, 0.6, 0.6, 0.8, 1.5, 2.5, 3.5, 4.2, 4.6, 4.8, 5.2, 5, 4.7, 4.6, 4.8, 5.3, 6, 6.6, 6.8, 6, 4.6,
  3,
];

/** Words shoppers search for (URL-safe). */
export const SEARCH_TERMS: readonly string[] = [
  'headphones',
  'running+shoes',
  'coffee',
  'lamp',
  'backpack',
  'gift',
  'usb+cable',
  'yoga+mat',
  'novel',
  'toys',
  'sale',
  'jacket',
  'blender',
  'dog+food',
  'notebook',
];
