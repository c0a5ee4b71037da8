-- Money is named by its minor unit, whatever the currency (decision 0026): the lines each delivery
-- keeps, as orders priced them, name their price unitPriceMinor instead of unitPricePence.
update deliveries
set lines = (
  select jsonb_agg(
    case
      when line ? 'unitPricePence' then
        -- A line that has both keeps unitPriceMinor: the right-hand side of || wins.
        jsonb_build_object('unitPriceMinor', line -> 'unitPricePence') || (line - 'unitPricePence')
      else line
    end
    order by position
  )
  from jsonb_array_elements(lines) with ordinality as each_line (line, position)
)
where jsonb_path_exists(lines, '$[*].unitPricePence');
