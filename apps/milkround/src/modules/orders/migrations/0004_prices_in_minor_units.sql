-- Money is named by its minor unit, whatever the currency (decision 0026): prices are pence for UK
-- customers and cents for US ones, so the columns say "minor" and the region says which currency.
alter table product_prices rename column unit_price to unit_price_minor;
alter table product_prices rename constraint product_prices_unit_price_check to product_prices_unit_price_minor_check;
alter table order_lines rename column unit_price to unit_price_minor;
alter table order_lines rename constraint order_lines_unit_price_check to order_lines_unit_price_minor_check;
