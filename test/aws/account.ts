/** moto's default account: what it reports for any credentials it did not issue itself. */
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_REGION = 'eu-west-3';
