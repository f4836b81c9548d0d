//! Chinese name lists for the demo district.
//!
//! Road and community names are modelled on Yixing's old town (some are real names, placed
//! schematically); shop, company and operator names are invented. Every generated feature is
//! labelled `source = "synthetic-demo"`, so none of this is mistaken for survey data.

/// The main north–south roads, west to east.
pub const MAIN_COLS: &[&str] = &["阳羡路", "人民路", "荆溪路"];
/// The main east–west roads, south to north.
pub const MAIN_ROWS: &[&str] = &["宜城路", "解放路", "通贞观路"];

/// Secondary streets, handed out to the remaining lattice lines in order.
pub const STREETS: &[&str] = &[
    "健康路", "东虹路", "南虹路", "书院路", "长桥路", "宜园路", "西虹路", "龙背山路", "袁桥路", "太滆路", "茶亭路",
    "城北路", "公园路", "广汇路", "氿滨路", "学前路", "北门路", "新街路", "升溪路", "文庙路", "阳泉路", "西庙路",
    "县前街", "蜀山路", "陶都路", "紫砂路", "团氿路", "东珠路", "青龙路", "凤凰路", "庙前路", "仓桥路",
];

/// Lanes (巷, 弄) inside the blocks.
pub const LANES: &[&str] = &[
    "仓桥巷", "大人巷", "财神弄", "米行巷", "周王巷", "升溪巷", "文庙巷", "前进弄", "钱家弄", "水门巷", "南门弄",
    "城隍庙弄", "县前弄", "司马弄", "桃园巷", "石板弄", "陶瓷弄", "竹巷", "花园弄", "染坊弄", "油车弄", "杨家弄",
    "吴家巷", "储家巷", "蒋家弄", "任家巷", "史家弄", "徐家巷", "陈家弄", "邵家巷", "万寿弄", "太平巷", "瓦屑弄",
    "碧鲜巷", "西珠巷", "东珠巷", "草巷", "木桥弄", "小桥弄", "荷花弄",
];

/// Communities of 宜城街道 (the old town); 袁桥社区 is named in the source document.
pub const YICHENG_COMMUNITIES: &[&str] = &[
    "袁桥社区", "东庙巷社区", "西庙巷社区", "南虹社区", "长桥社区", "人民路社区", "宜园社区", "龙背山社区", "太滆社区",
    "东虹社区", "解放东路社区", "书院社区", "健康路社区",
];
pub const QITING_COMMUNITIES: &[&str] = &["城北社区", "屺亭社区", "永安社区"];
pub const XINZHUANG_COMMUNITIES: &[&str] = &["新庄社区", "东氿社区", "氿滨社区"];

/// Residential compound suffixes (新村, 花园, …), for block names.
pub const COMPOUNDS: &[&str] = &["新村", "花园", "家园", "小区", "苑", "公寓", "雅居", "名都"];

/// Shop-name prefixes (invented).
pub const SHOP_PREFIXES: &[&str] = &[
    "阳羡", "荆溪", "蛟桥", "龙背", "紫砂", "东坡", "太湖", "氿滨", "陶都", "金鼎", "福源", "鸿运", "老街", "永兴",
    "华夏", "和顺", "新华", "万福", "汇丰", "佳美", "宏达", "聚源", "吉祥", "茗香", "竹海", "善卷", "团氿", "春晖",
];

/// What a business of each catalog `business_type` calls itself.
pub fn shop_nouns(business_type: &str) -> &'static [&'static str] {
    match business_type {
        "shop" => &["超市", "烟酒店", "茶叶店", "紫砂工艺店", "服装店", "五金店", "药房", "水果店", "眼镜店", "书店", "手机店", "花店", "母婴店", "鞋店"],
        "restaurant" => &["面馆", "小吃店", "饭店", "酒家", "馄饨店", "奶茶店", "烧烤店", "快餐店", "包子铺", "羊肉馆"],
        "hotel" => &["宾馆", "酒店", "旅馆", "商务酒店"],
        "car_service" => &["汽车美容店", "汽修厂", "洗车行", "轮胎店"],
        "market_stall" => &["蔬菜摊", "水产摊", "肉铺", "豆制品摊", "禽蛋摊"],
        _ => &["营业厅", "银行网点", "物业服务中心", "卫生服务站", "律师事务所", "保险代理处"],
    }
}

/// Advertising companies (invented).
pub const AD_OWNERS: &[&str] = &[
    "宜兴市阳羡广告传媒有限公司",
    "宜兴市荆溪文化传播有限公司",
    "无锡氿城广告有限公司",
    "宜兴市陶都传媒有限公司",
    "江苏紫砂光影广告有限公司",
    "宜兴市蛟桥商业管理有限公司",
    "宜兴市东氿户外媒体有限公司",
];

/// Charging operators (invented).
pub const CAR_OPERATORS: &[&str] = &["宜兴市绿能充电科技有限公司", "江苏陶都新能源有限公司", "宜兴市城发智慧停车有限公司"];
pub const EBIKE_OPERATORS: &[&str] = &["宜兴市安骑充电服务有限公司", "宜兴市社区便民服务中心", "无锡易充科技有限公司"];

/// 一, 二, … 九十九: for numbering in names.
pub fn cn_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        20..=99 => format!("{}十{}", D[n / 10], if n.is_multiple_of(10) { "" } else { D[n % 10] }),
        _ => n.to_string(),
    }
}

/// A community's name without 社区, for naming things after it (袁桥社区 → 袁桥).
pub fn short(community: &str) -> &str {
    community.trim_end_matches("社区")
}
