import type { Faker as FakerClass, LocaleDefinition } from '@faker-js/faker';
import { faker as english } from '@faker-js/faker/locale/en';

// NOTE: the package's main entry loads every locale (80–100 ms, and twice as long again through a
// loader hook); its English entry loads one (about 15 ms) and brings the class with its instance.

/** Faker's English definitions (with the locale-independent base), as the simulator names things. */
export const ENGLISH: LocaleDefinition = english.rawDefinitions;

/** The Faker class, without loading every locale. */
export const Faker = english.constructor as typeof FakerClass;
