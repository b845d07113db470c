/** What a simulated scenario is made of: its plans, and each subscription's steps. */
export type PlanSpec = Readonly<{
  key: string;
  name: string;
  pricingModel: 'flat_rate' | 'per_unit';
  amount: number;
  currency: 'usd';
  interval: 'month' | 'year';
  intervalCount: number;
  trialDays: number;
}>;

export type Action =
  | Readonly<{ kind: 'subscribe'; plan: string; quantity: number }>
  | Readonly<{ kind: 'change_plan'; plan: string }>
  | Readonly<{ kind: 'change_quantity'; quantity: number }>
  | Readonly<{ kind: 'pause' }>
  | Readonly<{ kind: 'resume' }>
  | Readonly<{ kind: 'cancel'; atPeriodEnd: boolean }>
  | Readonly<{ kind: 'attach_payment_method'; paymentMethod: string }>;

export type Step = Readonly<{ at: string; subscription: number; action: Action }>;
