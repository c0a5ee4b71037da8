import { column, type SqlExecutor } from '@switchyard/postgres';
import type { Region } from '../memberships/contracts.ts';

/** A product with its list price in one region, in minor units of the region's currency. */
export interface PricedProduct {
  readonly sku: string;
  readonly name: string;
  readonly unitPriceMinor: number;
}

/** The products and their prices per region. */
export class ProductCatalogue {
  readonly #products: string;
  readonly #prices: string;

  constructor(schema: string) {
    this.#products = `${schema}.products`;
    this.#prices = `${schema}.product_prices`;
  }

  /** Every product sold in `region`, by SKU. */
  async inRegion(db: SqlExecutor, region: Region): Promise<PricedProduct[]> {
    const { rows } = await db.query(
      `select p.sku, p.name, pp.unit_price_minor from ${this.#products} p
       join ${this.#prices} pp on pp.sku = p.sku and pp.region = $1
       order by p.sku`,
      [region],
    );
    return rows.map((row) => ({
      sku: column.text(row, 'sku'),
      name: column.text(row, 'name'),
      unitPriceMinor: column.integer(row, 'unit_price_minor'),
    }));
  }
}
