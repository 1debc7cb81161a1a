-- The ABC x XYZ matrix: per site, and for the company (site_id 'ALL', the sum of the sites'
-- item x site classifications), one row per cell of the 3 x 4 grid, empty cells included.
with classified as not materialized (
    select * from {{ ref('mart_abc_xyz') }}
),

sites as (
    select distinct site_id from classified
    union all
    select 'ALL'
),

cells as (
    select sites.site_id, abc.abc_class, xyz.xyz_class
    from sites
    cross join (values ('A'), ('B'), ('C')) as abc(abc_class)
    cross join (values ('X'), ('Y'), ('Z'), ('N')) as xyz(xyz_class)
),

counted as (
    select site_id, abc_class, xyz_class, count(*) as item_count,
           sum(consumption_value) as consumption_value, sum(inventory_value) as inventory_value
    from classified
    group by grouping sets ((site_id, abc_class, xyz_class), (abc_class, xyz_class))
),

final as (
    select
        cells.site_id,
        cells.abc_class,
        cells.xyz_class,
        cells.abc_class || cells.xyz_class as segment,
        coalesce(counted.item_count, 0) as item_count,
        coalesce(counted.consumption_value, 0) as consumption_value,
        coalesce(counted.inventory_value, 0) as inventory_value
    from cells
    left join counted
        on coalesce(counted.site_id, 'ALL') = cells.site_id
        and counted.abc_class = cells.abc_class and counted.xyz_class = cells.xyz_class
)

select * from final
