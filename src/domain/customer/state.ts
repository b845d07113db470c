/** A coupon's terms as a customer holds them, from the redemption that gave it: what its invoices are discounted by. */
export type Discount = Readonly<{
  couponId: string;
  redemptionId: string;
  percentOff?: string;
  amountOff?: number;
  currency?: string;
  duration: 'once' | 'repeating' | 'forever';
  durationInPeriods?: number;
}>;

/** Exactly a discount's fields, from anything that carries them (a coupon's state, an applied event). */
export const discountOf = (source: Discount): Discount => {
  const { couponId, redemptionId, percentOff, amountOff, currency, duration, durationInPeriods } = source;
  return {
    couponId,
    redemptionId,
    ...(percentOff !== undefined && { percentOff }),
    ...(amountOff !== undefined && { amountOff }),
    ...(currency !== undefined && { currency }),
    duration,
    ...(durationInPeriods !== undefined && { durationInPeriods }),
  };
};

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
    /** The coupon its invoices are discounted by, after a subscription's own. */
    discount?: Discount;
    /** Credit by currency, in minor units; never below zero. */
    credit: Readonly<Record<string, number>>;
    createdAt: string;
    updatedAt: string;
  }>;

export type CustomerState = Readonly<{ status: 'none' }> | Readonly<{ status: 'registered' } & Known>;

export const initialCustomerState = (): CustomerState => ({ status: 'none' });
