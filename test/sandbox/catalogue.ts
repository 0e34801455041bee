/** The product catalogue served by the MCP backend (stands in for seed 002's catalogue). In-memory, one per sandbox. */
export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  stock: number;
}

export const SEED_PRODUCTS: readonly Product[] = Object.freeze([
  { id: 'P-1001', name: 'Contoso Trail Running Shoes', category: 'Footwear', price: 129.99, stock: 42 },
  { id: 'P-1002', name: 'Northwind Insulated Water Bottle 750 ml', category: 'Outdoor', price: 24.5, stock: 310 },
  { id: 'P-1003', name: 'Fabrikam Noise-Cancelling Headphones', category: 'Electronics', price: 249, stock: 18 },
  { id: 'P-1004', name: 'Adventure Works 2-Person Tent', category: 'Outdoor', price: 189.95, stock: 7 },
  { id: 'P-1005', name: 'Tailspin USB-C Charging Hub', category: 'Electronics', price: 39.99, stock: 125 },
  { id: 'P-1006', name: 'Woodgrove Merino Wool Socks (3 pack)', category: 'Apparel', price: 29, stock: 260 },
  { id: 'P-1007', name: 'Litware Mechanical Keyboard', category: 'Electronics', price: 109, stock: 0 },
  { id: 'P-1008', name: 'Proseware Rain Jacket', category: 'Apparel', price: 149.5, stock: 33 },
  { id: 'P-1009', name: 'Wingtip Espresso Grinder', category: 'Kitchen', price: 89.9, stock: 14 },
  { id: 'P-1010', name: 'Alpine Ski House Headlamp 400 lm', category: 'Outdoor', price: 34.75, stock: 88 },
]);

export class Catalogue {
  private readonly products = new Map<string, Product>();
  private nextId = 1011;

  constructor(seed: readonly Product[] = SEED_PRODUCTS) {
    for (const p of seed) this.products.set(p.id, { ...p });
  }

  list(category?: string): Product[] {
    const all = [...this.products.values()];
    return category ? all.filter((p) => p.category.toLowerCase() === category.toLowerCase()) : all;
  }

  get(id: string): Product | undefined {
    const p = this.products.get(id);
    return p && { ...p };
  }

  search(query: string, maxPrice?: number): Product[] {
    const q = query.toLowerCase();
    return this.list().filter(
      (p) => (p.name.toLowerCase().includes(q) || p.category.toLowerCase().includes(q)) && (maxPrice === undefined || p.price <= maxPrice),
    );
  }

  create(input: Omit<Product, 'id'>): Product {
    const product = { id: `P-${this.nextId++}`, ...input };
    this.products.set(product.id, product);
    return { ...product };
  }

  update(id: string, patch: Partial<Omit<Product, 'id'>>): Product | undefined {
    const current = this.products.get(id);
    if (!current) return undefined;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    Object.assign(current, defined);
    return { ...current };
  }

  delete(id: string): boolean {
    return this.products.delete(id);
  }
}
