export type CustomerProfile = Readonly<{
  name: string;
  email: string;
  /** The USER who may see this customer and what belongs to it. */
  ownerUserId?: string;
  metadata?: Readonly<Record<string, string>>;
}>;

type Known = CustomerProfile &
  Readonly<{
    customerId: string;
    /**
     * Its invoices are created as DRAFTs, without a number, for someone to
     * review and finalise or void (Kill Bill's AUTO_INVOICING_DRAFT, Stripe's
     * auto_advance=false). False for streams recorded before it existed.
     */
    draftInvoices: boolean;
    /** A payment gateway's token (`pm_…`), never card data. */
    paymentMethod?: string;
    /** The tax rate its invoices are taxed at, over its plans'. */
    taxRateId?: string;
    /** Credit by currency, in minor units; never below zero. */
    credit: Readonly<Record<string, number>>;
    createdAt: string;
    updatedAt: string;
  }>;

export type CustomerState = Readonly<{ status: 'none' }> | Readonly<{ status: 'registered' } & Known>;

export const initialCustomerState = (): CustomerState => ({ status: 'none' });
