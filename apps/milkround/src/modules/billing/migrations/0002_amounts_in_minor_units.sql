-- Money is named by its minor unit, whatever the currency (decision 0026): amounts are pence for UK
-- customers and cents for US ones, so the columns say "minor" and the customer's region says which
-- currency. Check constraints named after a column are renamed with it, so a violation names the column.
alter table charges rename column amount_pence to amount_minor;
alter table charges rename constraint charges_amount_pence_check to charges_amount_minor_check;

alter table charge_lines rename column unit_price_pence to unit_price_minor;
alter table charge_lines rename constraint charge_lines_unit_price_pence_check to charge_lines_unit_price_minor_check;
alter table charge_lines rename column total_pence to total_minor;

alter table refunds rename column amount_pence to amount_minor;
alter table refunds rename constraint refunds_amount_pence_check to refunds_amount_minor_check;

alter table credits rename column amount_pence to amount_minor;
alter table credits rename constraint credits_amount_pence_check to credits_amount_minor_check;
