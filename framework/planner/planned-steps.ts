/**
 * The partition keys a plan targets for assets with the same partitions, each with its position.
 * One list serves every asset that shares the partitions definition.
 *
 * @example
 * const targets = new PlanTargets(['2024-01-01', '2024-01-02']);
 * targets.positionOf('2024-01-02'); // 1
 */
export class PlanTargets {
  readonly keys: ReadonlyArray<string | null>;
  readonly #positions = new Map<string | null, number>();
  /** `[partition]` of each target, made once for every asset that shares the targets. */
  #suffixes: string[] | undefined;

  constructor(keys: ReadonlyArray<string | null>) {
    this.keys = keys;
    for (let i = keys.length - 1; i >= 0; i--) this.#positions.set(keys[i], i);
  }

  /**
   * The step key (`asset[partition]`) of `assetKey`'s target at `position`.
   *
   * @example
   * targets.stepKey('raw_orders', 1); // 'raw_orders[2024-01-02]'
   */
  stepKey(assetKey: string, position: number): string {
    const partitionKey = this.keys[position];
    if (partitionKey === null) return assetKey;
    // NOTE: the key joins the asset's key and a suffix shared by every asset with these targets:
    // two strings V8 keeps as one pair, half the time and less memory than a new flat string per
    // step (a plan makes hundreds of thousands).
    this.#suffixes ??= this.keys.map((key) => (key === null ? '' : ['[', key, ']'].join('')));
    return assetKey + this.#suffixes[position];
  }

  /** The position of `partitionKey` in `keys` (its first), undefined when it is not targeted. */
  positionOf(partitionKey: string | null): number | undefined {
    return this.#positions.get(partitionKey);
  }
}

/**
 * The steps a plan has made for the partitions of one asset: the step key of each planned
 * partition, looked up by partition key.
 *
 * @example
 * const planned = new PlannedSteps(targets);
 * planned.set(1, 'raw_orders[2024-01-02]');
 * planned.get('2024-01-02'); // 'raw_orders[2024-01-02]'
 */
export class PlannedSteps {
  // NOTE: an array per asset over a position map shared by many assets, where a map per asset
  // would hold an entry for every one of the hundreds of thousands of steps.
  readonly #targets: PlanTargets;
  readonly #stepKeys: Array<string | undefined>;

  constructor(targets: PlanTargets) {
    this.#targets = targets;
    this.#stepKeys = new Array(targets.keys.length);
  }

  /** Records the step planned for the target at `position`. */
  set(position: number, stepKey: string): void {
    this.#stepKeys[position] = stepKey;
  }

  /**
   * The key of the step planned for `partitionKey`, if any. `hint` is where the key probably is
   * among the targets: a mapping that reads every upstream partition lists them in target order.
   */
  get(partitionKey: string | null, hint = -1): string | undefined {
    if (hint >= 0 && this.#targets.keys[hint] === partitionKey) return this.#stepKeys[hint];
    const position = this.#targets.positionOf(partitionKey);
    return position === undefined ? undefined : this.#stepKeys[position];
  }
}
