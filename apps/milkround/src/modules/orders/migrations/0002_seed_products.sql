-- The catalogue is reference data every install sells, so a migration holds it rather than demo data.
insert into products (sku, name) values
  ('milk-1pt', 'Whole milk, 1 pint glass bottle'),
  ('semi-1pt', 'Semi-skimmed milk, 1 pint glass bottle'),
  ('oat-1l', 'Oat drink, 1 litre'),
  ('eggs-6', 'Free-range eggs, half dozen'),
  ('orange-1l', 'Fresh orange juice, 1 litre'),
  ('butter-250g', 'Salted butter, 250 g');

insert into product_prices (sku, region, unit_price) values
  ('milk-1pt', 'UK', 95), ('milk-1pt', 'US', 95),
  ('semi-1pt', 'UK', 90), ('semi-1pt', 'US', 90),
  ('oat-1l', 'UK', 180), ('oat-1l', 'US', 249),
  ('eggs-6', 'UK', 260), ('eggs-6', 'US', 349),
  ('orange-1l', 'UK', 250), ('orange-1l', 'US', 299),
  ('butter-250g', 'UK', 285), ('butter-250g', 'US', 399);
