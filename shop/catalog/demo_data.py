"""The demo catalog loaded by `flask shop seed-demo`: INVENTED DEMO DATA, not facts.

The five Tây Hồ producers and the product names Xôi Phú Thượng, Chè Sen Quảng An and Hoa đào
Nhật Tân come from the seed article (shared/seeds/ocop-tay-ho-article.txt); every other
producer, every tax code, phone number, story, price, decision number, decision date and score
here is made up for the demo. The places are real current units (vietnam-provinces codes,
after the July 2025 reform: 34 provinces, no districts) and the former names are the units
they replaced. Certificates follow the OCOP rules the catalog enforces (issuer by date and star
level, score in the star's range), so the demo exercises them; they are not real decisions.

Plain data: producers and products as dicts, keyed by natural keys (tax code, slug, SKU).
A product's origin defaults to its producer's (province, ward, former name, craft village)."""

from __future__ import annotations

from datetime import date

# --- Places (vietnam-provinces codes, current units) ------------------------------------------
HA_NOI = 1
PHUONG_PHU_THUONG = 91
PHUONG_TAY_HO = 103
PHUONG_HA_DONG = 9556
XA_BAT_TRANG = 583
QUANG_NINH = 22
PHUONG_HA_LONG = 6688
DAC_KHU_VAN_DON = 6994
SON_LA = 14
PHUONG_MOC_CHAU = 3980
XA_TA_XUA = 3868
PHU_THO = 25
XA_MAI_CHAU = 5200
LAO_CAI = 15
XA_TA_PHIN = 3013
AN_GIANG = 91
DAC_KHU_PHU_QUOC = 31078
VINH_LONG = 86
PHUONG_BEN_TRE = 28789
DONG_THAP = 82
PHUONG_SA_DEC = 29905
DAK_LAK = 66
PHUONG_BUON_MA_THUOT = 24133
THAI_NGUYEN = 19
XA_TAN_CUONG = 5503
BAC_NINH = 24
XA_LUC_NGAN = 7582

# --- Issuers: who rated, as named on the decision's date ---------------------------------------
# Before 1 July 2025: district 3★, province 4★, central 5★; since then province 3★–4★,
# central 5★ (Decision 1489/QĐ-TTg). The ministry became Bộ Nông nghiệp và Môi trường in 2025.
TAY_HO_DISTRICT = ("UBND quận Tây Hồ", "district")
HA_NOI_CITY = ("UBND Thành phố Hà Nội", "province")
MARD = ("Bộ Nông nghiệp và Phát triển nông thôn", "central")
MAE = ("Bộ Nông nghiệp và Môi trường", "central")


def _v(sku: str, name_vi: str, name_en: str, price_vnd: int, weight_g: int | None = None, on_hand: int = 25) -> dict:
    return {
        "sku": sku,
        "name_vi": name_vi,
        "name_en": name_en,
        "price_vnd": price_vnd,
        "weight_g": weight_g,
        "on_hand": on_hand,
    }


def _cert(
    star_level: int,
    decision_number: str,
    decision_date: date,
    issuer: tuple[str, str],
    score: int,
    *,
    verification_status: str = "verified",
    potential_five_star: bool = False,
) -> dict:
    return {
        "star_level": star_level,
        "decision_number": decision_number,
        "decision_date": decision_date,
        "issuing_body": issuer[0],
        "issuer_level": issuer[1],
        "score": score,
        "verification_status": verification_status,
        "potential_five_star": potential_five_star,
    }


# --- Producers ---------------------------------------------------------------------------------
# `logo` picks the emblem drawn in static/img/producers/<slug>.svg (see shop.demo art).

PRODUCERS = [
    {
        "tax_code": "0109000015",
        "name": "HTX Dịch vụ Nông nghiệp Xôi Phú Thượng",
        "slug": "htx-xoi-phu-thuong",
        "kind": "cooperative",
        "province_code": HA_NOI,
        "ward_code": PHUONG_PHU_THUONG,
        "street": "Làng nghề Xôi Phú Thượng",
        "former_name": "Phường Phú Thượng, quận Tây Hồ (cũ)",
        "craft_village": "Làng nghề Xôi Phú Thượng",
        "story_vi": "Hợp tác xã gom đơn của các hộ đồ xôi trong làng và giao xôi trong buổi sáng. "
        "Xôi được đồ từ nếp cái hoa vàng theo cách làng vẫn làm, nên đơn được chuẩn bị từ đêm hôm trước.",
        "story_en": "The co-operative gathers orders for the village's sticky-rice households and delivers in the "
        "morning. The rice is yellow-flower glutinous rice steamed the way the village has long done it, "
        "so orders are prepared the night before.",
        "contact_phone": "0900 000 001",
        # The account the shop pays the co-operative into (invented).
        "bank_name": "Agribank",
        "bank_account_number": "1500206012345",
        "bank_account_holder": "HTX DICH VU NONG NGHIEP XOI PHU THUONG",
        "logo": ("rice", "#c8553d"),
    },
    {
        "tax_code": "0109000022",
        "name": "HTX Chè Sen Quảng An",
        "slug": "htx-che-sen-quang-an",
        "kind": "cooperative",
        "province_code": HA_NOI,
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Quảng An, quận Tây Hồ (cũ)",
        "former_name": "Phường Quảng An, quận Tây Hồ (cũ)",
        "craft_village": "Làng nghề Chè Sen Quảng An",
        "story_vi": "Các thành viên ướp chè búp với gạo sen lấy từ những bông sen nở vào mùa hè. "
        "Mỗi mẻ chè cần nhiều lần ướp và sấy, nên lượng chè mỗi năm không nhiều.",
        "story_en": "Members scent tea buds with the anthers of lotus flowers picked in summer. "
        "Every batch is scented and dried several times, so each year's tea is limited.",
        "contact_phone": "0900 000 002",
        "logo": ("lotus", "#b5543c"),
    },
    {
        "tax_code": "0109100034",
        "name": "HTX Hoa đào Nhật Tân",
        "slug": "htx-hoa-dao-nhat-tan",
        "kind": "cooperative",
        "province_code": HA_NOI,
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Nhật Tân, quận Tây Hồ (cũ)",
        "former_name": "Phường Nhật Tân, quận Tây Hồ (cũ)",
        "craft_village": "Làng nghề Hoa đào Nhật Tân",
        "story_vi": "Các nhà vườn trong hợp tác xã chăm đào quanh năm để cây ra hoa đúng dịp Tết. "
        "Cành đào được cắt và bó ngay tại vườn trước khi giao.",
        "story_en": "The co-operative's growers tend their peach trees all year so they flower in time for Tết. "
        "Branches are cut and wrapped in the garden just before delivery.",
        "contact_phone": "0900 000 003",
        "logo": ("blossom", "#c06c84"),
    },
    {
        "tax_code": "0109000047",
        "name": "Cơ sở Bảo Phương 1",
        "slug": "bao-phuong-1",
        "kind": "household",
        "province_code": HA_NOI,
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Thụy Khuê, quận Tây Hồ (cũ)",
        "former_name": "Phường Thụy Khuê, quận Tây Hồ (cũ)",
        "story_vi": "Một cơ sở gia đình làm ô mai và mứt theo công thức truyền thống của Hà Nội. "
        "Sản phẩm được đóng hộp nhỏ để làm quà, nhiều nhất vào dịp cuối năm.",
        "story_en": "A family business making Hà Nội-style preserved fruit and candied lotus seeds to traditional "
        "recipes. Everything is packed in small gift boxes, busiest at the end of the year.",
        "contact_phone": "0900 000 004",
        "logo": ("fruit", "#d9822b"),
    },
    {
        "tax_code": "0109000054",
        "name": "Cơ sở Bảo Phương 2",
        "slug": "bao-phuong-2",
        "kind": "household",
        "province_code": HA_NOI,
        "ward_code": PHUONG_TAY_HO,
        "street": "Phường Thụy Khuê, quận Tây Hồ (cũ)",
        "former_name": "Phường Thụy Khuê, quận Tây Hồ (cũ)",
        "story_vi": "Cơ sở chế biến giò chả, ruốc và mắm theo lối làm của các gia đình Hà Nội. "
        "Hàng được làm theo mẻ nhỏ mỗi tuần và bảo quản lạnh khi giao.",
        "story_en": "A workshop making pork rolls, cinnamon pork, pork floss and shrimp paste the way Hà Nội families "
        "do. It cooks small batches each week and ships them chilled.",
        "contact_phone": "0900 000 005",
        "logo": ("leaf", "#3d7a5a"),
    },
    {
        "tax_code": "5700000068",
        "name": "Công ty TNHH Hải sản Vịnh Ngọc",
        "slug": "hai-san-vinh-ngoc",
        "kind": "company",
        "province_code": QUANG_NINH,
        "ward_code": PHUONG_HA_LONG,
        "former_name": "Thành phố Hạ Long, tỉnh Quảng Ninh (cũ)",
        "story_vi": "Công ty nhỏ chế biến hải sản từ mực và cá do tàu địa phương đánh bắt. "
        "Chả mực được giã và quết tay theo từng mẻ, cấp đông ngay sau khi làm.",
        "story_en": "A small company processing squid and fish landed by local boats. "
        "Its squid cakes are pounded by hand in small batches and frozen straight after.",
        "contact_phone": "0900 000 006",
        "logo": ("wave", "#2a6f97"),
    },
    {
        "tax_code": "5500000078",
        "name": "HTX Chè Đồi Mây Mộc Châu",
        "slug": "htx-che-doi-may-moc-chau",
        "kind": "cooperative",
        "province_code": SON_LA,
        "ward_code": PHUONG_MOC_CHAU,
        "story_vi": "Hợp tác xã trồng và chế biến chè trên cao nguyên, từ trà ô long đến trà xanh. "
        "Các thành viên cũng sấy mận hậu vào mùa mận.",
        "story_en": "A co-operative growing and processing tea on the plateau, from oolong to green tea. "
        "Members also dry hậu plums in plum season.",
        "contact_phone": "0900 000 007",
        "logo": ("leaf", "#5b8c3a"),
    },
    {
        "tax_code": "0109000008",
        "name": "Hộ kinh doanh Gốm Men Ngọc",
        "slug": "gom-men-ngoc",
        "kind": "household",
        "province_code": HA_NOI,
        "ward_code": XA_BAT_TRANG,
        "former_name": "Xã Bát Tràng, huyện Gia Lâm (cũ)",
        "craft_village": "Làng gốm Bát Tràng",
        "story_vi": "Một xưởng gốm gia đình trong làng, tự tạo dáng, vẽ và nung sản phẩm. "
        "Xưởng mở cửa cho khách đến tự nặn gốm vào cuối tuần.",
        "story_en": "A family pottery in the village that throws, paints and fires its own pieces. "
        "At weekends visitors can come and make a piece themselves.",
        "contact_phone": "0900 000 008",
        "logo": ("vase", "#2a5d9f"),
    },
    {
        "tax_code": "0109000093",
        "name": "HTX Dệt lụa Thanh Tơ",
        "slug": "htx-det-lua-thanh-to",
        "kind": "cooperative",
        "province_code": HA_NOI,
        "ward_code": PHUONG_HA_DONG,
        "former_name": "Phường Vạn Phúc, quận Hà Đông (cũ)",
        "craft_village": "Làng lụa Vạn Phúc",
        "story_vi": "Các hộ thành viên dệt lụa tơ tằm trên khung máy trong nhà và cùng bán qua hợp tác xã. "
        "Khăn lụa được vẽ và hoàn thiện tại xưởng chung.",
        "story_en": "Member households weave silk on looms at home and sell together through the co-operative. "
        "Scarves are painted and finished in the shared workshop.",
        "contact_phone": "0900 000 009",
        "logo": ("cloth", "#8e3b5a"),
    },
    {
        "tax_code": "5400000109",
        "name": "Hộ kinh doanh Nhà sàn Mai Hoa",
        "slug": "nha-san-mai-hoa",
        "kind": "household",
        "province_code": PHU_THO,
        "ward_code": XA_MAI_CHAU,
        "former_name": "Huyện Mai Châu, tỉnh Hòa Bình (cũ)",
        "story_vi": "Một gia đình người Thái đón khách ở nhà sàn của mình, nấu các món ăn địa phương. "
        "Chủ nhà dẫn khách đạp xe quanh bản và giới thiệu nghề dệt thổ cẩm.",
        "story_en": "A Thái family welcoming guests in their stilt house and cooking local dishes. "
        "The hosts lead bicycle rides around the village and show their brocade weaving.",
        "contact_phone": "0900 000 010",
        "logo": ("house", "#a0522d"),
    },
    {
        "tax_code": "5300000112",
        "name": "HTX Thảo dược Núi Mây",
        "slug": "htx-thao-duoc-nui-may",
        "kind": "cooperative",
        "province_code": LAO_CAI,
        "ward_code": XA_TA_PHIN,
        "former_name": "Thị xã Sa Pa, tỉnh Lào Cai (cũ)",
        "story_vi": "Hợp tác xã của các hộ người Dao đỏ trồng và sơ chế cây thuốc. "
        "Lá thuốc được phơi khô, phân loại và đóng gói tại nhà xưởng của hợp tác xã.",
        "story_en": "A co-operative of Red Dao households growing and preparing medicinal plants. "
        "The leaves are dried, sorted and packed in the co-operative's own workshop.",
        "contact_phone": "0900 000 011",
        "logo": ("leaf", "#6a8f3b"),
    },
    {
        "tax_code": "1700000127",
        "name": "Công ty TNHH Nước mắm Gió Biển",
        "slug": "nuoc-mam-gio-bien",
        "kind": "company",
        "province_code": AN_GIANG,
        "ward_code": DAC_KHU_PHU_QUOC,
        "former_name": "Thành phố Phú Quốc, tỉnh Kiên Giang (cũ)",
        "story_vi": "Nhà thùng ủ nước mắm từ cá cơm và muối trong thùng gỗ. "
        "Công ty cũng thu mua tiêu từ các vườn trên đảo.",
        "story_en": "A fish-sauce house fermenting anchovies and salt in wooden barrels. "
        "The company also buys pepper from the island's gardens.",
        "contact_phone": "0900 000 012",
        "logo": ("drop", "#8c5a3c"),
    },
    {
        "tax_code": "1300100134",
        "name": "Cơ sở Kẹo dừa Tư Hiền",
        "slug": "keo-dua-tu-hien",
        "kind": "household",
        "province_code": VINH_LONG,
        "ward_code": PHUONG_BEN_TRE,
        "former_name": "Thành phố Bến Tre, tỉnh Bến Tre (cũ)",
        "story_vi": "Cơ sở gia đình nấu kẹo từ nước cốt dừa và mạch nha, cắt và gói tay. "
        "Ngoài kẹo, cơ sở còn ủ rượu trong trái dừa.",
        "story_en": "A family workshop cooking candy from coconut cream and malt, cut and wrapped by hand. "
        "It also makes rice wine matured inside coconuts.",
        "contact_phone": "0900 000 013",
        "logo": ("fruit", "#6b8e23"),
    },
    {
        "tax_code": "1400900014",
        "name": "HTX Hoa kiểng Sông Tiền",
        "slug": "htx-hoa-kieng-song-tien",
        "kind": "cooperative",
        "province_code": DONG_THAP,
        "ward_code": PHUONG_SA_DEC,
        "former_name": "Thành phố Sa Đéc, tỉnh Đồng Tháp (cũ)",
        "craft_village": "Làng hoa Sa Đéc",
        "story_vi": "Các nhà vườn trồng hoa và cây kiểng trên giàn cao, tránh nước lên mùa lũ. "
        "Mùa bận nhất là những tuần trước Tết.",
        "story_en": "Growers raise flowers and ornamental plants on raised racks, clear of the flood season. "
        "Their busiest weeks are the ones before Tết.",
        "contact_phone": "0900 000 014",
        "logo": ("blossom", "#d9822b"),
    },
    {
        "tax_code": "6000000152",
        "name": "HTX Cà phê Cao Nguyên Đỏ",
        "slug": "htx-ca-phe-cao-nguyen-do",
        "kind": "cooperative",
        "province_code": DAK_LAK,
        "ward_code": PHUONG_BUON_MA_THUOT,
        "former_name": "Thành phố Buôn Ma Thuột, tỉnh Đắk Lắk (cũ)",
        "story_vi": "Các hộ thành viên hái cà phê chín và rang tại xưởng của hợp tác xã. "
        "Một số hộ nuôi ong trong vườn cà phê.",
        "story_en": "Member households pick ripe coffee cherries and roast them in the co-operative's roastery. "
        "Some of them keep bees among the coffee trees.",
        "contact_phone": "0900 000 015",
        "logo": ("bean", "#6f4e37"),
    },
    {
        "tax_code": "4600000168",
        "name": "HTX Chè Đồi Sương",
        "slug": "htx-che-doi-suong",
        "kind": "cooperative",
        "province_code": THAI_NGUYEN,
        "ward_code": XA_TAN_CUONG,
        "former_name": "Xã Tân Cương, thành phố Thái Nguyên (cũ)",
        "craft_village": "Làng nghề chè Tân Cương",
        "story_vi": "Hợp tác xã hái chè búp vào sáng sớm và sao chè bằng chảo gang. "
        "Chè được phân loại theo độ non của búp.",
        "story_en": "The co-operative picks tea buds early in the morning and pan-fires them in cast-iron woks. "
        "The tea is graded by how young the buds are.",
        "contact_phone": "0900 000 016",
        "logo": ("leaf", "#4f7f3a"),
    },
    {
        "tax_code": "2400000174",
        "name": "HTX Nông sản Đồi Vải",
        "slug": "htx-nong-san-doi-vai",
        "kind": "cooperative",
        "province_code": BAC_NINH,
        "ward_code": XA_LUC_NGAN,
        "former_name": "Huyện Lục Ngạn, tỉnh Bắc Giang (cũ)",
        "story_vi": "Hợp tác xã gom vải thiều chín từ vườn của các thành viên và đóng thùng ngay trong ngày. "
        "Ngoài mùa vải, hợp tác xã bán vải sấy khô.",
        "story_en": "The co-operative collects ripe lychees from members' orchards and boxes them the same day. "
        "Outside the season it sells dried lychees.",
        "contact_phone": "0900 000 017",
        "logo": ("fruit", "#c8553d"),
    },
]

# --- Products ----------------------------------------------------------------------------------
# `art_colour` (optional) sets the illustration's main colour; `images` is how many pictures
# (1 or 2) the product has; the seed derives paths and alt texts from the slug and subgroup.

PRODUCTS = [
    # Tây Hồ, Hà Nội -----------------------------------------------------------------------------
    {
        "slug": "xoi-phu-thuong",
        "producer": "0109000015",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-tu-gao",
        "name_vi": "Xôi Phú Thượng",
        "name_en": "Phú Thượng sticky rice",
        "summary_vi": "Xôi nếp cái hoa vàng đồ trong đêm, rắc đậu xanh và hành phi, giao ngay buổi sáng.",
        "summary_en": "Yellow-flower glutinous rice steamed overnight, topped with mung bean and fried shallots, "
        "delivered the same morning.",
        "description_vi": "Xôi được đồ mới mỗi ngày từ gạo nếp cái hoa vàng, hạt dẻo và thơm. "
        "Vì làm trong ngày, xôi cần dùng ngay hôm nhận hàng. Mâm cỗ nên đặt trước một ngày.",
        "description_en": "Steamed fresh every day from yellow-flower glutinous rice, soft and fragrant. "
        "Made the same day, it must be eaten the day it arrives. Order party trays a day ahead.",
        "unit_vi": "suất",
        "unit_en": "portion",
        "shelf_life_days": 1,
        "featured": True,
        "images": 2,
        "art_colour": "#c8553d",
        "variants": [
            _v("XPT-300", "Suất 300 g", "300 g portion", 30_000, 300, 40),
            _v("XPT-500", "Hộp 500 g", "500 g box", 50_000, 500, 30),
            _v("XPT-MAM-2KG", "Mâm cỗ 2 kg", "2 kg party tray", 220_000, 2000, 5),
        ],
        "certificates": [
            _cert(4, "3312/QĐ-UBND", date(2022, 9, 20), HA_NOI_CITY, 78),
            _cert(4, "5210/QĐ-UBND", date(2025, 10, 16), HA_NOI_CITY, 81),
        ],
    },
    {
        "slug": "xoi-gac-phu-thuong",
        "producer": "0109000015",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-tu-gao",
        "name_vi": "Xôi gấc Phú Thượng",
        "name_en": "Phú Thượng gấc sticky rice",
        "summary_vi": "Xôi nếp đồ với thịt quả gấc, màu đỏ cam, hợp cho mâm cỗ và ngày lễ.",
        "summary_en": "Sticky rice steamed with gấc fruit pulp, red-orange, for celebration trays and holidays.",
        "description_vi": "Gạo nếp được trộn thịt gấc chín trước khi đồ, cho màu đỏ tự nhiên và vị ngậy nhẹ. "
        "Xôi làm trong ngày, dùng trong ngày.",
        "description_en": "The rice is mixed with ripe gấc pulp before steaming, giving a natural red colour and a "
        "mild richness. Made and eaten the same day.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 1,
        "art_colour": "#e2572b",
        "variants": [
            _v("XPT-GAC-500", "Hộp 500 g", "500 g box", 45_000, 500, 25),
            _v("XPT-GAC-1KG", "Đĩa cỗ 1 kg", "1 kg celebration plate", 90_000, 1000, 0),
        ],
        "certificates": [_cert(3, "415/QĐ-UBND", date(2024, 3, 12), TAY_HO_DISTRICT, 64)],
    },
    {
        "slug": "che-sen-quang-an",
        "producer": "0109000022",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Chè Sen Quảng An",
        "name_en": "Quảng An lotus tea",
        "summary_vi": "Chè búp ướp gạo sen Tây Hồ nhiều lần, hương sen thanh và bền.",
        "summary_en": "Tea buds scented many times with Tây Hồ lotus anthers, for a clear, lasting lotus aroma.",
        "description_vi": "Chè búp khô được ướp với gạo sen tách từ hoa sen mới nở, rồi sấy nhẹ; việc này lặp lại "
        "nhiều lần cho đến khi chè thấm hương. Pha nước khoảng 85 °C, chén đầu nên tráng nhanh.",
        "description_en": "Dried tea buds are layered with anthers taken from freshly opened lotus flowers, then "
        "gently dried, again and again until the tea holds the scent. Brew at about 85 °C and "
        "rinse the first infusion quickly.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 365,
        "featured": True,
        "images": 2,
        "art_colour": "#b5543c",
        "variants": [
            _v("CSQA-50", "Hộp 50 g", "50 g box", 650_000, 50, 12),
            _v("CSQA-100", "Hộp 100 g", "100 g box", 1_250_000, 100, 4),
        ],
        "certificates": [
            _cert(4, "4518/QĐ-UBND", date(2022, 11, 8), HA_NOI_CITY, 80),
            _cert(4, "6034/QĐ-UBND", date(2025, 11, 20), HA_NOI_CITY, 84),
        ],
    },
    {
        # Its only certificate dates from 2021 and has lapsed: the product shows no stars.
        "slug": "tra-sen-tui-loc-quang-an",
        "producer": "0109000022",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Trà sen túi lọc Quảng An",
        "name_en": "Quảng An lotus tea bags",
        "summary_vi": "Trà xanh ướp hương sen đóng túi lọc, tiện pha ở văn phòng.",
        "summary_en": "Lotus-scented green tea in bags, easy to brew at the office.",
        "description_vi": "Chè xanh được ướp hương sen rồi đóng túi lọc 2 g. Mỗi túi pha được hai lần nước.",
        "description_en": "Green tea scented with lotus and packed in 2 g bags. Each bag brews twice.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 540,
        "variants": [_v("TSQA-25", "Hộp 25 túi", "Box of 25 bags", 120_000, 50, 30)],
        "certificates": [_cert(3, "2107/QĐ-UBND", date(2021, 10, 5), TAY_HO_DISTRICT, 62)],
    },
    {
        "slug": "trai-nghiem-uop-tra-sen-quang-an",
        "producer": "0109000022",
        "group_code": "du-lich",
        "subgroup_code": "du-lich-cong-dong",
        "name_vi": "Trải nghiệm ướp trà sen Quảng An",
        "name_en": "Lotus tea scenting experience in Quảng An",
        "summary_vi": "Nửa ngày cùng nghệ nhân tách gạo sen và ướp chè, trong mùa sen nở.",
        "summary_en": "Half a day with the tea makers separating lotus anthers and scenting tea, in lotus season.",
        "description_vi": "Khách được xem hái sen sớm, tự tách gạo sen và ướp một mẻ chè nhỏ mang về. "
        "Chỉ tổ chức trong mùa sen, từ tháng 6 đến tháng 7.",
        "description_en": "Watch the early lotus harvest, separate the anthers yourself and scent a small batch of "
        "tea to take home. Held only in lotus season, June to July.",
        "unit_vi": "khách",
        "unit_en": "guest",
        "season": (6, 7),
        "variants": [
            _v("TSQA-TOUR-NL", "Vé người lớn (nửa ngày)", "Adult ticket (half day)", 350_000, None, 20),
            _v("TSQA-TOUR-TE", "Vé trẻ em (6–12 tuổi)", "Child ticket (6–12 years)", 200_000, None, 10),
        ],
        "certificates": [_cert(4, "2290/QĐ-UBND", date(2025, 5, 22), HA_NOI_CITY, 74)],
    },
    {
        "slug": "hoa-dao-nhat-tan",
        "producer": "0109100034",
        "group_code": "sinh-vat-canh",
        "subgroup_code": "hoa",
        "name_vi": "Hoa đào Nhật Tân",
        "name_en": "Nhật Tân peach blossom",
        "summary_vi": "Cành đào phai Nhật Tân cắt tại vườn những tuần trước Tết, nụ nhiều, hoa hồng đậm.",
        "summary_en": "Nhật Tân peach branches cut in the garden in the weeks before Tết, full of buds, deep pink.",
        "description_vi": "Cành được chọn khi nụ vừa hé để nở dần trong nhà suốt dịp Tết. "
        "Cắt chéo gốc, cắm bình nước sạch và thay nước hai ngày một lần.",
        "description_en": "Branches are chosen as the buds begin to open, so they flower indoors through Tết. "
        "Cut the base at an angle, stand it in clean water and change the water every two days.",
        "unit_vi": "cành",
        "unit_en": "branch",
        "shelf_life_days": 10,
        "season": (12, 2),
        "featured": True,
        "images": 2,
        "art_colour": "#e86f93",
        "variants": [
            _v("HDNT-S", "Cành nhỏ (cao 1–1,2 m)", "Small branch (1–1.2 m)", 350_000, 1500, 60),
            _v("HDNT-M", "Cành vừa (cao 1,5 m)", "Medium branch (1.5 m)", 750_000, 2500, 30),
            _v("HDNT-L", "Cành lớn (cao 2 m)", "Large branch (2 m)", 1_500_000, 4000, 8),
        ],
        "certificates": [_cert(4, "6650/QĐ-UBND", date(2024, 12, 18), HA_NOI_CITY, 82)],
    },
    {
        # Its certificate is still being checked (pending): the product shows no stars.
        "slug": "dao-the-chau-nhat-tan",
        "producer": "0109100034",
        "group_code": "sinh-vat-canh",
        "subgroup_code": "cay-canh",
        "name_vi": "Đào thế chậu Nhật Tân",
        "name_en": "Nhật Tân potted peach tree",
        "summary_vi": "Gốc đào uốn thế trồng chậu, nở hoa dịp Tết và chăm được cho năm sau.",
        "summary_en": "A shaped peach tree in a pot that flowers for Tết and can be kept for next year.",
        "description_vi": "Cây được nhà vườn uốn dáng nhiều năm, giao cả chậu kèm hướng dẫn chăm sau Tết. "
        "Đặt nơi có nắng nhẹ, tưới vừa ẩm.",
        "description_en": "Shaped by the growers over several years and delivered in its pot with care notes for "
        "after Tết. Keep it in soft sunlight and water lightly.",
        "unit_vi": "chậu",
        "unit_en": "pot",
        "season": (12, 2),
        "art_colour": "#e86f93",
        "variants": [
            _v("DTNT-S", "Chậu nhỏ (cao 0,8 m)", "Small pot (0.8 m)", 2_500_000, 15000, 10),
            _v("DTNT-L", "Chậu lớn (cao 1,5 m)", "Large pot (1.5 m)", 8_500_000, 40000, 0),
        ],
        "certificates": [
            _cert(4, "5875/QĐ-UBND", date(2026, 10, 28), HA_NOI_CITY, 76, verification_status="pending"),
        ],
    },
    # Bảo Phương 1 (Thụy Khuê): three products, all 4★ ----------------------------------------------
    {
        "slug": "o-mai-mo-gung-bao-phuong",
        "producer": "0109000047",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Ô mai mơ gừng Bảo Phương",
        "name_en": "Bảo Phương ginger apricot ô mai",
        "summary_vi": "Mơ muối dẻo, tẩm gừng tươi và đường, vị chua ngọt cay nhẹ.",
        "summary_en": "Soft salted apricots coated with fresh ginger and sugar: sour, sweet and gently hot.",
        "description_vi": "Mơ được muối, phơi rồi sên với gừng và đường nhiều lần. "
        "Bảo quản nơi khô mát, đậy kín sau khi mở.",
        "description_en": "Apricots are salted, sun-dried, then simmered with ginger and sugar several times. "
        "Keep cool and dry; close the box after opening.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 180,
        "art_colour": "#d9822b",
        "variants": [
            _v("BP1-OMMG-200", "Hộp 200 g", "200 g box", 65_000, 200, 40),
            _v("BP1-OMMG-500", "Hộp 500 g", "500 g box", 150_000, 500, 20),
        ],
        "certificates": [_cert(4, "3105/QĐ-UBND", date(2024, 6, 25), HA_NOI_CITY, 79)],
    },
    {
        "slug": "o-mai-sau-bao-phuong",
        "producer": "0109000047",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Ô mai sấu Bảo Phương",
        "name_en": "Bảo Phương dracontomelon ô mai",
        "summary_vi": "Sấu non sên đường và gừng, giòn và chua thanh.",
        "summary_en": "Young sấu fruit simmered with sugar and ginger, crunchy and tart.",
        "description_vi": "Sấu được chọn khi còn non, bỏ hột và sên đến khi trong. Dùng làm quà hoặc pha nước.",
        "description_en": "The sấu are picked young, stoned and simmered until glossy. Eat as a treat or stir into "
        "a cold drink.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 180,
        "art_colour": "#7a9a3a",
        "variants": [
            _v("BP1-OMS-200", "Hộp 200 g", "200 g box", 60_000, 200, 35),
            _v("BP1-OMS-500", "Hộp 500 g", "500 g box", 140_000, 500, 15),
        ],
        "certificates": [_cert(4, "3105/QĐ-UBND", date(2024, 6, 25), HA_NOI_CITY, 77)],
    },
    {
        "slug": "mut-sen-tran-bao-phuong",
        "producer": "0109000047",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Mứt sen trần Bảo Phương",
        "name_en": "Bảo Phương candied lotus seeds",
        "summary_vi": "Hạt sen tươi sên đường trắng, bở và ngọt thanh, món mứt Tết quen thuộc.",
        "summary_en": "Fresh lotus seeds candied in white sugar, tender and lightly sweet, a Tết favourite.",
        "description_vi": "Hạt sen được luộc chín, ngâm nước đường và sấy nhẹ để giữ độ bở. "
        "Ngon nhất khi dùng cùng trà sen.",
        "description_en": "The seeds are cooked, soaked in syrup and gently dried so they stay tender. "
        "Best with lotus tea.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 120,
        "art_colour": "#c9a227",
        "variants": [
            _v("BP1-MST-250", "Hộp 250 g", "250 g box", 120_000, 250, 25),
            _v("BP1-MST-500", "Hộp 500 g", "500 g box", 230_000, 500, 12),
        ],
        "certificates": [_cert(4, "3105/QĐ-UBND", date(2024, 6, 25), HA_NOI_CITY, 80)],
    },
    # Bảo Phương 2 (Thụy Khuê): four products, all 4★ -----------------------------------------------
    {
        "slug": "gio-lua-bao-phuong",
        "producer": "0109000054",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Giò lụa Bảo Phương",
        "name_en": "Bảo Phương pork roll (giò lụa)",
        "summary_vi": "Giò lụa giã từ thịt nạc vai, gói lá chuối, luộc chín; giao lạnh.",
        "summary_en": "Pork roll pounded from shoulder meat, wrapped in banana leaf and boiled; shipped chilled.",
        "description_vi": "Thịt được giã khi còn ấm để giò dai và mịn, gói lá chuối rồi luộc. "
        "Bảo quản ngăn mát 0–4 °C, dùng trong 7 ngày.",
        "description_en": "The meat is pounded while still warm so the roll is springy and smooth, then wrapped in "
        "banana leaves and boiled. Keep at 0–4 °C and eat within 7 days.",
        "unit_vi": "khoanh",
        "unit_en": "roll",
        "shelf_life_days": 7,
        "art_colour": "#3d7a5a",
        "variants": [
            _v("BP2-GL-500", "Khoanh 500 g", "500 g roll", 150_000, 500, 30),
            _v("BP2-GL-1KG", "Cây 1 kg", "1 kg roll", 290_000, 1000, 15),
        ],
        "certificates": [_cert(4, "4420/QĐ-UBND", date(2025, 2, 14), HA_NOI_CITY, 75)],
    },
    {
        "slug": "cha-que-bao-phuong",
        "producer": "0109000054",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Chả quế Bảo Phương",
        "name_en": "Bảo Phương cinnamon pork",
        "summary_vi": "Chả lợn giã trộn bột quế, nướng vàng mặt; giao lạnh.",
        "summary_en": "Pounded pork with cinnamon, roasted golden; shipped chilled.",
        "description_vi": "Giò sống được trộn bột quế, hấp chín rồi nướng than cho thơm. "
        "Bảo quản ngăn mát, dùng trong 7 ngày.",
        "description_en": "Pork paste is mixed with ground cinnamon, steamed, then grilled over charcoal for its "
        "aroma. Keep refrigerated and eat within 7 days.",
        "unit_vi": "khoanh",
        "unit_en": "roll",
        "shelf_life_days": 7,
        "art_colour": "#a0522d",
        "variants": [_v("BP2-CQ-500", "Khoanh 500 g", "500 g roll", 160_000, 500, 20)],
        "certificates": [_cert(4, "4420/QĐ-UBND", date(2025, 2, 14), HA_NOI_CITY, 77)],
    },
    {
        "slug": "ruoc-thit-lon-bao-phuong",
        "producer": "0109000054",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Ruốc thịt lợn Bảo Phương",
        "name_en": "Bảo Phương pork floss",
        "summary_vi": "Ruốc sợi bông từ thịt thăn, không chất bảo quản, ăn cùng cơm, xôi, cháo.",
        "summary_en": "Fluffy floss from pork loin, no preservatives, for rice, sticky rice or congee.",
        "description_vi": "Thịt thăn được rim với nước mắm rồi sao khô và đánh tơi. "
        "Đậy kín hũ sau khi mở để ruốc không bị ẩm.",
        "description_en": "Pork loin is simmered with fish sauce, then dry-fried and teased into floss. "
        "Close the jar after opening to keep it dry.",
        "unit_vi": "hũ",
        "unit_en": "jar",
        "shelf_life_days": 90,
        "art_colour": "#c47a3a",
        "variants": [
            _v("BP2-RUOC-200", "Hũ 200 g", "200 g jar", 120_000, 200, 40),
            _v("BP2-RUOC-500", "Hũ 500 g", "500 g jar", 280_000, 500, 10),
        ],
        "certificates": [_cert(4, "4420/QĐ-UBND", date(2025, 2, 14), HA_NOI_CITY, 80)],
    },
    {
        "slug": "mam-tep-chung-thit-bao-phuong",
        "producer": "0109000054",
        "group_code": "thuc-pham",
        "subgroup_code": "gia-vi",
        "name_vi": "Mắm tép chưng thịt Bảo Phương",
        "name_en": "Bảo Phương shrimp paste with pork",
        "summary_vi": "Mắm tép chưng với thịt ba chỉ và sả ớt, đậm đà, ăn kèm cơm nóng.",
        "summary_en": "Shrimp paste cooked with pork belly, lemongrass and chilli: rich, for hot rice.",
        "description_vi": "Mắm tép được chưng lửa nhỏ với thịt băm, sả và ớt cho đến khi sánh. "
        "Bảo quản ngăn mát sau khi mở.",
        "description_en": "Shrimp paste is cooked slowly with minced pork, lemongrass and chilli until thick. "
        "Refrigerate after opening.",
        "unit_vi": "hũ",
        "unit_en": "jar",
        "shelf_life_days": 180,
        "art_colour": "#b5543c",
        "variants": [_v("BP2-MTCT-250", "Hũ 250 g", "250 g jar", 85_000, 250, 30)],
        "certificates": [_cert(4, "4420/QĐ-UBND", date(2025, 2, 14), HA_NOI_CITY, 72)],
    },
    # Quảng Ninh -----------------------------------------------------------------------------------
    {
        "slug": "cha-muc-ha-long",
        "producer": "5700000068",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Chả mực giã tay Hạ Long",
        "name_en": "Hạ Long hand-pounded squid cakes",
        "summary_vi": "Chả mực giã tay từ mực tươi, dai giòn, rán vàng là ăn được; giao đông lạnh.",
        "summary_en": "Hand-pounded cakes of fresh squid, springy and crisp once fried golden; shipped frozen.",
        "description_vi": "Mực được làm sạch và giã trong cối đá cho đến khi dẻo, nặn thành bánh và cấp đông ngay. "
        "Rã đông trong ngăn mát rồi rán lửa vừa.",
        "description_en": "Squid is cleaned and pounded in a stone mortar until it binds, shaped into cakes and "
        "frozen at once. Thaw in the fridge, then fry over medium heat.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 90,
        "featured": True,
        "images": 2,
        "art_colour": "#e0a458",
        "variants": [
            _v("CMHL-500", "Hộp 500 g", "500 g box", 240_000, 500, 50),
            _v("CMHL-1KG", "Túi 1 kg", "1 kg bag", 460_000, 1000, 20),
        ],
        "certificates": [
            _cert(
                4, "912/QĐ-UBND", date(2025, 3, 27), ("UBND tỉnh Quảng Ninh", "province"), 88, potential_five_star=True
            ),
        ],
    },
    {
        "slug": "muc-mot-nang-ha-long",
        "producer": "5700000068",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Mực một nắng Hạ Long",
        "name_en": "Hạ Long sun-kissed squid",
        "summary_vi": "Mực ống phơi đúng một nắng, thịt ngọt và mềm, nướng hoặc chiên đều ngon.",
        "summary_en": "Squid dried in the sun for a single day: sweet and tender, grilled or fried.",
        "description_vi": "Mực được phơi một nắng để se mặt mà vẫn giữ độ ngọt, rồi hút chân không và giao lạnh. "
        "Dùng trong 5 ngày hoặc cấp đông.",
        "description_en": "Dried for one day so the surface firms while the flesh stays sweet, vacuum-packed and "
        "shipped chilled. Eat within 5 days or freeze.",
        "unit_vi": "túi",
        "unit_en": "bag",
        "shelf_life_days": 5,
        "art_colour": "#d08c60",
        "variants": [
            _v("MMN-500", "Túi 500 g", "500 g bag", 450_000, 500, 15),
            _v("MMN-1KG", "Túi 1 kg", "1 kg bag", 880_000, 1000, 0),
        ],
        "certificates": [_cert(4, "2786/QĐ-UBND", date(2024, 9, 10), ("UBND tỉnh Quảng Ninh", "province"), 77)],
    },
    {
        "slug": "sa-sung-kho-van-don",
        "producer": "5700000068",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Sá sùng khô Vân Đồn",
        "name_en": "Vân Đồn dried peanut worms",
        "summary_vi": "Sá sùng phơi khô, dùng nấu nước dùng phở, cháo hoặc nướng.",
        "summary_en": "Dried peanut worms for phở broth, congee or grilling.",
        "description_vi": "Sá sùng được làm sạch cát, phơi và sấy khô. Nướng sơ trước khi ninh nước dùng.",
        "description_en": "The worms are cleaned of sand, then sun- and oven-dried. Toast lightly before simmering "
        "into broth.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 365,
        "province_code": QUANG_NINH,
        "ward_code": DAC_KHU_VAN_DON,
        "former_name": "Huyện Vân Đồn, tỉnh Quảng Ninh (cũ)",
        "art_colour": "#a67b5b",
        "variants": [_v("SSK-100", "Hộp 100 g", "100 g box", 650_000, 100, 10)],
        "certificates": [_cert(3, "2455/QĐ-UBND", date(2025, 8, 19), ("UBND tỉnh Quảng Ninh", "province"), 66)],
    },
    # Sơn La -----------------------------------------------------------------------------------------
    {
        "slug": "tra-o-long-moc-chau",
        "producer": "5500000078",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Trà ô long Mộc Châu",
        "name_en": "Mộc Châu oolong tea",
        "summary_vi": "Trà ô long viên trồng trên cao nguyên, hương hoa, hậu ngọt.",
        "summary_en": "Rolled oolong grown on the plateau: floral, with a sweet finish.",
        "description_vi": "Búp chè được làm héo, lắc và vò viên theo cách làm ô long. "
        "Pha nước 90 °C, ngâm 1 phút, pha được nhiều lần.",
        "description_en": "Leaves are withered, tossed and rolled into pearls in the oolong way. "
        "Brew at 90 °C for a minute; it gives several infusions.",
        "unit_vi": "gói",
        "unit_en": "pack",
        "shelf_life_days": 730,
        "art_colour": "#5b8c3a",
        "variants": [
            _v("MC-OLONG-200", "Gói 200 g", "200 g pack", 180_000, 200, 40),
            _v("MC-OLONG-500", "Hộp 500 g", "500 g box", 420_000, 500, 15),
        ],
        "certificates": [_cert(4, "1540/QĐ-UBND", date(2024, 7, 30), ("UBND tỉnh Sơn La", "province"), 80)],
    },
    {
        "slug": "tra-shan-tuyet-ta-xua",
        "producer": "5500000078",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Trà Shan tuyết Tà Xùa",
        "name_en": "Tà Xùa Shan tuyết tea",
        "summary_vi": "Trà từ những cây chè Shan tuyết trên núi cao, búp phủ lông tơ trắng.",
        "summary_en": "Tea from Shan tuyết trees high in the mountains, the buds covered in white down.",
        "description_vi": "Búp chè được hái từ cây chè Shan trên núi, sao khô theo cách truyền thống. "
        "Nước trà vàng sáng, vị đậm, hậu ngọt.",
        "description_en": "Buds are picked from Shan trees on the mountain and pan-dried the traditional way. "
        "The liquor is bright gold, strong, with a sweet finish.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 730,
        "province_code": SON_LA,
        "ward_code": XA_TA_XUA,
        "former_name": "Huyện Bắc Yên, tỉnh Sơn La (cũ)",
        "art_colour": "#7a8f3a",
        "variants": [_v("TX-SHAN-100", "Hộp 100 g", "100 g box", 160_000, 100, 25)],
        "certificates": [_cert(4, "3012/QĐ-UBND", date(2025, 12, 9), ("UBND tỉnh Sơn La", "province"), 83)],
    },
    {
        "slug": "man-hau-say-deo-moc-chau",
        "producer": "5500000078",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Mận hậu sấy dẻo Mộc Châu",
        "name_en": "Mộc Châu soft-dried hậu plums",
        "summary_vi": "Mận hậu chín sấy dẻo, chua ngọt, không thêm phẩm màu.",
        "summary_en": "Ripe hậu plums dried until chewy, sweet and sour, no added colouring.",
        "description_vi": "Mận được hái khi chín, ngâm đường nhẹ và sấy ở nhiệt độ thấp để giữ màu tự nhiên.",
        "description_en": "Plums are picked ripe, lightly sugared and dried at low heat to keep their natural colour.",
        "unit_vi": "túi",
        "unit_en": "bag",
        "shelf_life_days": 270,
        "art_colour": "#8e3b5a",
        "variants": [
            _v("MC-MAN-250", "Túi 250 g", "250 g bag", 55_000, 250, 60),
            _v("MC-MAN-500", "Túi 500 g", "500 g bag", 100_000, 500, 30),
        ],
        "certificates": [_cert(3, "1988/QĐ-UBND", date(2024, 10, 15), ("UBND huyện Mộc Châu", "district"), 61)],
    },
    # Bát Tràng and Vạn Phúc, Hà Nội ------------------------------------------------------------------
    {
        "slug": "binh-gom-men-lam-bat-trang",
        "producer": "0109000008",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "gom-su",
        "name_vi": "Bình gốm men lam Bát Tràng",
        "name_en": "Bát Tràng blue-glaze vase",
        "summary_vi": "Bình cắm hoa vẽ tay men lam trên nền men trắng, nung ở nhiệt độ cao.",
        "summary_en": "A hand-painted cobalt-blue vase on white glaze, high-fired.",
        "description_vi": "Bình được tạo dáng trên bàn xoay, vẽ tay họa tiết hoa sen và nung trong lò ga. "
        "Mỗi chiếc có nét vẽ hơi khác nhau.",
        "description_en": "Thrown on the wheel, painted by hand with lotus motifs and fired in a gas kiln. "
        "No two are painted quite alike.",
        "unit_vi": "chiếc",
        "unit_en": "piece",
        "art_colour": "#2a5d9f",
        "variants": [
            _v("BT-BINH-25", "Cao 25 cm", "25 cm tall", 450_000, 1200, 14),
            _v("BT-BINH-40", "Cao 40 cm", "40 cm tall", 1_200_000, 3500, 3),
        ],
        "certificates": [_cert(4, "5402/QĐ-UBND", date(2024, 11, 5), HA_NOI_CITY, 81)],
    },
    {
        "slug": "bo-am-chen-men-ran-bat-trang",
        "producer": "0109000008",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "gom-su",
        "name_vi": "Bộ ấm chén men rạn Bát Tràng",
        "name_en": "Bát Tràng crackle-glaze tea set",
        "summary_vi": "Bộ ấm chén men rạn cổ, vân rạn tự nhiên, hợp để pha trà sen và trà mạn.",
        "summary_en": "A tea set in antique crackle glaze with natural crazing, for lotus and green tea.",
        "description_vi": "Vân rạn hình thành khi men và xương gốm co khác nhau lúc nguội; mỗi bộ vì thế là duy nhất. "
        "Rửa bằng nước ấm, tránh máy rửa bát.",
        "description_en": "The crackle forms as glaze and body cool at different rates, so every set is unique. "
        "Wash in warm water; not for the dishwasher.",
        "unit_vi": "bộ",
        "unit_en": "set",
        "featured": True,
        "images": 2,
        "art_colour": "#8c6d46",
        "variants": [
            _v("BT-AMR-6", "Bộ ấm 6 chén", "Teapot with 6 cups", 850_000, 1500, 12),
            _v("BT-AMR-10", "Bộ ấm 10 chén", "Teapot with 10 cups", 1_350_000, 2200, 6),
        ],
        "certificates": [_cert(5, "5218/QĐ-BNN-VPĐP", date(2024, 12, 26), MARD, 92)],
    },
    {
        "slug": "dia-gom-trang-tri-bat-trang",
        "producer": "0109000008",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "gom-su",
        "name_vi": "Đĩa gốm trang trí Bát Tràng",
        "name_en": "Bát Tràng decorative plate",
        "summary_vi": "Đĩa treo tường vẽ cảnh làng quê, có giá đỡ.",
        "summary_en": "A wall plate painted with a village scene, with a stand.",
        "description_vi": "Đĩa được vẽ tay bằng men màu và nung hai lần để màu bền. Kèm giá đỡ gỗ.",
        "description_en": "Hand-painted in coloured glazes and fired twice so the colours last. Comes with a wooden "
        "stand.",
        "unit_vi": "chiếc",
        "unit_en": "piece",
        "art_colour": "#3a6ea5",
        "variants": [_v("BT-DIA-30", "Đĩa 30 cm", "30 cm plate", 380_000, 1400, 9)],
        "certificates": [_cert(3, "612/QĐ-UBND", date(2025, 2, 20), ("UBND huyện Gia Lâm", "district"), 65)],
    },
    {
        "slug": "trai-nghiem-lam-gom-bat-trang",
        "producer": "0109000008",
        "group_code": "du-lich",
        "subgroup_code": "du-lich-cong-dong",
        "name_vi": "Trải nghiệm làm gốm Bát Tràng",
        "name_en": "Pottery workshop in Bát Tràng",
        "summary_vi": "Hai giờ tự nặn và vẽ gốm tại xưởng, sản phẩm được nung và gửi về nhà.",
        "summary_en": "Two hours throwing and painting at the workshop; your piece is fired and posted home.",
        "description_vi": "Người thợ hướng dẫn chuốt gốm trên bàn xoay và vẽ men. "
        "Sản phẩm được nung và gửi trong khoảng hai tuần.",
        "description_en": "A potter shows you how to throw on the wheel and paint glaze. "
        "Your piece is fired and sent within about two weeks.",
        "unit_vi": "khách",
        "unit_en": "guest",
        "art_colour": "#a0522d",
        "variants": [
            _v("BT-TN-NL", "Vé người lớn (2 giờ)", "Adult ticket (2 hours)", 150_000, None, 30),
            _v("BT-TN-TE", "Vé trẻ em", "Child ticket", 100_000, None, 30),
        ],
        "certificates": [_cert(4, "5977/QĐ-UBND", date(2025, 11, 4), HA_NOI_CITY, 73)],
    },
    {
        "slug": "khan-lua-to-tam-van-phuc",
        "producer": "0109000093",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "det-may",
        "name_vi": "Khăn lụa tơ tằm Vạn Phúc",
        "name_en": "Vạn Phúc silk scarf",
        "summary_vi": "Khăn lụa tơ tằm dệt hoa văn chìm, mềm và nhẹ.",
        "summary_en": "A mulberry-silk scarf with a woven tone-on-tone pattern, soft and light.",
        "description_vi": "Lụa được dệt từ tơ tằm, nhuộm màu và vẽ tay tại xưởng. "
        "Giặt tay nhẹ bằng nước lạnh, phơi trong bóng râm.",
        "description_en": "Woven from mulberry silk, dyed and hand-painted in the workshop. "
        "Hand-wash gently in cold water and dry in the shade.",
        "unit_vi": "chiếc",
        "unit_en": "piece",
        "art_colour": "#8e3b5a",
        "variants": [
            _v("VP-KHAN-DAI", "Khăn dài 50×160 cm", "Long scarf 50×160 cm", 450_000, 80, 25),
            _v("VP-KHAN-VUONG", "Khăn vuông 90×90 cm", "Square scarf 90×90 cm", 550_000, 70, 18),
        ],
        "certificates": [_cert(4, "2781/QĐ-UBND", date(2025, 6, 12), HA_NOI_CITY, 85)],
    },
    {
        "slug": "vai-lua-to-tam-van-phuc",
        "producer": "0109000093",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "det-may",
        "name_vi": "Vải lụa tơ tằm Vạn Phúc",
        "name_en": "Vạn Phúc silk fabric",
        "summary_vi": "Lụa tơ tằm khổ 90 cm bán theo mét, để may áo dài hoặc khăn.",
        "summary_en": "Mulberry silk, 90 cm wide, sold by the metre for áo dài or scarves.",
        "description_vi": "Vải dệt trên khung máy của các hộ trong làng, nhiều màu nhuộm. "
        "Nên giặt thử một mảnh nhỏ trước khi may.",
        "description_en": "Woven on the village households' looms in many dyed colours. "
        "Wash a small piece first before sewing.",
        "unit_vi": "mét",
        "unit_en": "metre",
        "art_colour": "#b04a5a",
        "variants": [
            _v("VP-LUA-1M", "1 mét (khổ 90 cm)", "1 metre (90 cm wide)", 380_000, 60, 100),
            _v("VP-LUA-3M", "3 mét (khổ 90 cm)", "3 metres (90 cm wide)", 1_100_000, 180, 30),
        ],
        "certificates": [_cert(4, "2781/QĐ-UBND", date(2025, 6, 12), HA_NOI_CITY, 82)],
    },
    {
        "slug": "ca-vat-lua-van-phuc",
        "producer": "0109000093",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "det-may",
        "name_vi": "Cà vạt lụa Vạn Phúc",
        "name_en": "Vạn Phúc silk tie",
        "summary_vi": "Cà vạt lụa tơ tằm dệt hoa văn, đóng hộp quà.",
        "summary_en": "A patterned silk tie in a gift box.",
        "description_vi": "Cà vạt may từ lụa dệt hoa văn của làng, lót trong bằng vải cotton.",
        "description_en": "Sewn from the village's patterned silk with a cotton lining.",
        "unit_vi": "chiếc",
        "unit_en": "piece",
        "art_colour": "#5a3d7a",
        "variants": [_v("VP-CAVAT", "Cà vạt hộp quà", "Tie in gift box", 250_000, 40, 0)],
        "certificates": [_cert(3, "1876/QĐ-UBND", date(2024, 5, 8), ("UBND quận Hà Đông", "district"), 60)],
    },
    # Phú Thọ (Mai Châu, formerly Hòa Bình) ---------------------------------------------------------
    {
        "slug": "homestay-nha-san-mai-chau",
        "producer": "5400000109",
        "group_code": "du-lich",
        "subgroup_code": "du-lich-cong-dong",
        "name_vi": "Homestay nhà sàn Mai Châu",
        "name_en": "Mai Châu stilt-house homestay",
        "summary_vi": "Ngủ nhà sàn người Thái giữa cánh đồng, bữa tối món địa phương.",
        "summary_en": "Stay in a Thái stilt house among the rice fields, with a local dinner.",
        "description_vi": "Khách ngủ đệm trên sàn gỗ, có màn và chăn ấm; phòng tắm riêng ở tầng dưới. "
        "Bữa tối có cơm lam, gà nướng và rau rừng theo mùa.",
        "description_en": "Guests sleep on mattresses on the wooden floor with nets and warm blankets; a private "
        "bathroom is downstairs. Dinner brings bamboo-tube rice, grilled chicken and seasonal "
        "greens.",
        "unit_vi": "đêm",
        "unit_en": "night",
        "featured": True,
        "images": 2,
        "art_colour": "#a0522d",
        "variants": [
            _v("MC-HS-1KHACH", "1 đêm/khách, kèm bữa tối", "1 night per guest, with dinner", 450_000, None, 20),
            _v(
                "MC-HS-NGUYENNHA",
                "Nguyên nhà sàn 1 đêm (tối đa 10 khách)",
                "Whole house, 1 night (up to 10)",
                3_500_000,
                None,
                2,
            ),
        ],
        "certificates": [_cert(4, "1702/QĐ-UBND", date(2024, 8, 22), ("UBND tỉnh Hòa Bình", "province"), 78)],
    },
    {
        "slug": "dap-xe-quanh-ban-mai-chau",
        "producer": "5400000109",
        "group_code": "du-lich",
        "subgroup_code": "du-lich-cong-dong",
        "name_vi": "Đạp xe quanh bản Mai Châu",
        "name_en": "Village bicycle ride in Mai Châu",
        "summary_vi": "Nửa ngày đạp xe qua đồng lúa và các bản người Thái, có người dẫn đường.",
        "summary_en": "Half a day cycling through rice fields and Thái villages with a local guide.",
        "description_vi": "Xe đạp và mũ bảo hiểm có sẵn. Cung đường bằng phẳng, hợp với gia đình có trẻ nhỏ.",
        "description_en": "Bicycles and helmets provided. The route is flat and suits families with children.",
        "unit_vi": "khách",
        "unit_en": "guest",
        "art_colour": "#6b8e23",
        "variants": [_v("MC-XEDAP", "Nửa ngày/khách", "Half day per guest", 250_000, None, 30)],
        "certificates": [_cert(3, "2045/QĐ-UBND", date(2024, 9, 30), ("UBND huyện Mai Châu", "district"), 63)],
    },
    {
        "slug": "khan-tho-cam-mai-chau",
        "producer": "5400000109",
        "group_code": "thu-cong-my-nghe",
        "subgroup_code": "det-may",
        "name_vi": "Khăn thổ cẩm Mai Châu",
        "name_en": "Mai Châu brocade scarf",
        "summary_vi": "Khăn dệt tay trên khung cửi, hoa văn truyền thống của người Thái.",
        "summary_en": "A scarf hand-woven on a loom with traditional Thái patterns.",
        "description_vi": "Sợi cotton nhuộm màu được dệt trên khung cửi gỗ trong nhà sàn. "
        "Mỗi chiếc mất khoảng hai ngày dệt.",
        "description_en": "Dyed cotton is woven on a wooden loom in the stilt house. "
        "Each scarf takes about two days to weave.",
        "unit_vi": "chiếc",
        "unit_en": "piece",
        "art_colour": "#c8553d",
        "variants": [_v("MC-THOCAM", "Khăn 40×180 cm", "Scarf 40×180 cm", 180_000, 150, 16)],
        "certificates": [_cert(3, "3318/QĐ-UBND", date(2025, 10, 22), ("UBND tỉnh Phú Thọ", "province"), 67)],
    },
    # Lào Cai (Sa Pa) -----------------------------------------------------------------------------------
    {
        "slug": "thuoc-tam-dao-do-ta-phin",
        "producer": "5300000112",
        "group_code": "duoc-lieu",
        "subgroup_code": "san-pham-tu-duoc-lieu",
        "name_vi": "Thuốc tắm người Dao đỏ Tả Phìn",
        "name_en": "Tả Phìn Red Dao herbal bath",
        "summary_vi": "Hỗn hợp lá thuốc phơi khô và cao tắm theo bài thuốc của người Dao đỏ.",
        "summary_en": "Dried medicinal leaves and a bath concentrate from a Red Dao family recipe.",
        "description_vi": "Lá thuốc được đun sôi khoảng 30 phút rồi pha vào nước tắm ấm. "
        "Không dùng cho phụ nữ có thai và người có bệnh tim mạch nếu chưa hỏi ý kiến bác sĩ.",
        "description_en": "Boil the leaves for about 30 minutes and add the liquid to a warm bath. "
        "Ask a doctor first if pregnant or with a heart condition.",
        "unit_vi": "gói",
        "unit_en": "pack",
        "shelf_life_days": 365,
        "art_colour": "#6a8f3b",
        "variants": [
            _v("TP-TAM-200", "Gói lá khô 200 g", "200 g dried leaves", 60_000, 200, 50),
            _v("TP-TAM-CAO", "Chai cao tắm 500 ml", "500 ml bath concentrate", 150_000, 600, 20),
        ],
        "certificates": [_cert(4, "3560/QĐ-UBND", date(2024, 11, 19), ("UBND tỉnh Lào Cai", "province"), 83)],
    },
    {
        "slug": "tra-giao-co-lam-ta-phin",
        "producer": "5300000112",
        "group_code": "duoc-lieu",
        "subgroup_code": "duoc-lieu-tho",
        "name_vi": "Giảo cổ lam Tả Phìn",
        "name_en": "Tả Phìn jiaogulan",
        "summary_vi": "Giảo cổ lam phơi khô đóng túi lọc, vị đắng nhẹ rồi ngọt.",
        "summary_en": "Dried jiaogulan in tea bags: lightly bitter, then sweet.",
        "description_vi": "Dây lá giảo cổ lam được thu hái, rửa sạch, sấy khô và cắt nhỏ. "
        "Hãm một túi với nước sôi trong 5 phút.",
        "description_en": "Jiaogulan vines are gathered, washed, dried and cut. Steep one bag in boiling water for "
        "5 minutes.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 540,
        "art_colour": "#4f7f3a",
        "variants": [_v("TP-GCL-30", "Hộp 30 túi lọc", "Box of 30 bags", 90_000, 90, 45)],
        "certificates": [_cert(4, "806/QĐ-UBND", date(2026, 3, 17), ("UBND tỉnh Lào Cai", "province"), 76)],
    },
    {
        "slug": "cao-xoa-bop-thao-duoc-ta-phin",
        "producer": "5300000112",
        "group_code": "duoc-lieu",
        "subgroup_code": "san-pham-tu-duoc-lieu",
        "name_vi": "Cao xoa bóp thảo dược Tả Phìn",
        "name_en": "Tả Phìn herbal massage balm",
        "summary_vi": "Cao xoa bóp từ gừng, quế và lá thuốc, làm ấm cơ thể.",
        "summary_en": "A massage balm of ginger, cinnamon and medicinal leaves that warms the skin.",
        "description_vi": "Dùng ngoài da, xoa lên vùng cần làm ấm. Tránh vùng mắt và vết thương hở.",
        "description_en": "For external use: rub onto the area to warm. Keep away from eyes and open wounds.",
        "unit_vi": "lọ",
        "unit_en": "jar",
        "shelf_life_days": 730,
        "art_colour": "#8c5a3c",
        "variants": [_v("TP-CAO-50", "Lọ 50 ml", "50 ml jar", 80_000, 90, 35)],
        "certificates": [_cert(3, "1433/QĐ-UBND", date(2024, 8, 6), ("UBND thị xã Sa Pa", "district"), 58)],
    },
    # An Giang (Phú Quốc, formerly Kiên Giang) ------------------------------------------------------
    {
        "slug": "nuoc-mam-phu-quoc-40-do-dam",
        "producer": "1700000127",
        "group_code": "thuc-pham",
        "subgroup_code": "gia-vi",
        "name_vi": "Nước mắm Phú Quốc 40 độ đạm",
        "name_en": "Phú Quốc fish sauce, 40° protein",
        "summary_vi": "Nước mắm nhĩ cá cơm ủ chượp trong thùng gỗ, màu cánh gián, vị đậm hậu ngọt.",
        "summary_en": "First-press anchovy fish sauce aged in wooden barrels: amber, rich, with a sweet finish.",
        "description_vi": "Cá cơm được ướp muối ngay trên tàu và ủ trong thùng gỗ hơn một năm. "
        "Nước mắm nhĩ đầu tiên được lọc và đóng chai thủy tinh.",
        "description_en": "Anchovies are salted on the boat and fermented in wooden barrels for over a year. "
        "The first draw is filtered and bottled in glass.",
        "unit_vi": "chai",
        "unit_en": "bottle",
        "shelf_life_days": 730,
        "featured": True,
        "images": 2,
        "art_colour": "#8c5a3c",
        "variants": [
            _v("PQ-NM40-500", "Chai 500 ml", "500 ml bottle", 150_000, 700, 80),
            _v("PQ-NM40-T6", "Thùng 6 chai 500 ml", "Case of 6 × 500 ml", 850_000, 4300, 12),
        ],
        "certificates": [_cert(5, "3921/QĐ-BNNMT", date(2025, 9, 25), MAE, 93)],
    },
    {
        "slug": "nuoc-mam-phu-quoc-30-do-dam",
        "producer": "1700000127",
        "group_code": "thuc-pham",
        "subgroup_code": "gia-vi",
        "name_vi": "Nước mắm Phú Quốc 30 độ đạm",
        "name_en": "Phú Quốc fish sauce, 30° protein",
        "summary_vi": "Nước mắm cá cơm dùng hằng ngày để nêm nấu và pha nước chấm.",
        "summary_en": "Everyday anchovy fish sauce for cooking and dipping sauces.",
        "description_vi": "Nước mắm ủ chượp truyền thống, pha loãng vừa phải để nấu ăn hằng ngày.",
        "description_en": "Traditionally fermented fish sauce, blended for everyday cooking.",
        "unit_vi": "chai",
        "unit_en": "bottle",
        "shelf_life_days": 730,
        "art_colour": "#a0522d",
        "variants": [
            _v("PQ-NM30-500", "Chai 500 ml", "500 ml bottle", 75_000, 700, 120),
            _v("PQ-NM30-1L", "Chai 1 lít", "1 litre bottle", 130_000, 1300, 60),
        ],
        "certificates": [_cert(4, "1021/QĐ-UBND", date(2024, 4, 23), ("UBND tỉnh Kiên Giang", "province"), 79)],
    },
    {
        "slug": "tieu-so-phu-quoc",
        "producer": "1700000127",
        "group_code": "thuc-pham",
        "subgroup_code": "gia-vi",
        "name_vi": "Tiêu sọ Phú Quốc",
        "name_en": "Phú Quốc white pepper",
        "summary_vi": "Tiêu sọ trắng bóc vỏ từ tiêu chín, cay thơm.",
        "summary_en": "White peppercorns hulled from ripe berries, hot and fragrant.",
        "description_vi": "Hạt tiêu chín được ngâm, bóc vỏ và phơi khô thành tiêu sọ. Xay ngay trước khi dùng.",
        "description_en": "Ripe berries are soaked, hulled and dried into white pepper. Grind just before use.",
        "unit_vi": "hũ",
        "unit_en": "jar",
        "shelf_life_days": 730,
        "art_colour": "#6f4e37",
        "variants": [
            _v("PQ-TIEU-100", "Hũ 100 g", "100 g jar", 95_000, 150, 50),
            _v("PQ-TIEU-250", "Hũ 250 g", "250 g jar", 210_000, 320, 20),
        ],
        "certificates": [_cert(4, "455/QĐ-UBND", date(2026, 2, 10), ("UBND tỉnh An Giang", "province"), 74)],
    },
    # Vĩnh Long (Bến Tre, merged into Vĩnh Long) -------------------------------------------------------
    {
        "slug": "keo-dua-sau-rieng-ben-tre",
        "producer": "1300100134",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Kẹo dừa sầu riêng Bến Tre",
        "name_en": "Bến Tre durian coconut candy",
        "summary_vi": "Kẹo dừa dẻo nấu từ nước cốt dừa và sầu riêng, gói giấy gạo.",
        "summary_en": "Chewy coconut candy cooked with durian, wrapped in rice paper.",
        "description_vi": "Nước cốt dừa, mạch nha và cơm sầu riêng được sên trong chảo đến khi dẻo, "
        "cán mỏng, cắt và gói tay.",
        "description_en": "Coconut cream, malt and durian flesh are stirred in a wok until thick, rolled, cut and "
        "wrapped by hand.",
        "unit_vi": "gói",
        "unit_en": "pack",
        "shelf_life_days": 180,
        "art_colour": "#c9a227",
        "variants": [
            _v("BTR-KD-SR-400", "Gói 400 g", "400 g pack", 45_000, 400, 100),
            _v("BTR-KD-SR-1KG", "Hộp quà 1 kg", "1 kg gift box", 120_000, 1000, 30),
        ],
        "certificates": [_cert(4, "1187/QĐ-UBND", date(2024, 5, 20), ("UBND tỉnh Bến Tre", "province"), 77)],
    },
    {
        "slug": "keo-dua-la-dua-ben-tre",
        "producer": "1300100134",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Kẹo dừa lá dứa Bến Tre",
        "name_en": "Bến Tre pandan coconut candy",
        "summary_vi": "Kẹo dừa màu xanh lá dứa tự nhiên, thơm nhẹ.",
        "summary_en": "Coconut candy coloured green with natural pandan, lightly fragrant.",
        "description_vi": "Nước lá dứa tươi thay cho phẩm màu. Bảo quản nơi khô mát.",
        "description_en": "Fresh pandan juice instead of food colouring. Keep cool and dry.",
        "unit_vi": "gói",
        "unit_en": "pack",
        "shelf_life_days": 180,
        "art_colour": "#4f7f3a",
        "variants": [_v("BTR-KD-LD-400", "Gói 400 g", "400 g pack", 42_000, 400, 90)],
        "certificates": [_cert(4, "1187/QĐ-UBND", date(2024, 5, 20), ("UBND tỉnh Bến Tre", "province"), 75)],
    },
    {
        "slug": "ruou-dua-ben-tre",
        "producer": "1300100134",
        "group_code": "do-uong",
        "subgroup_code": "ruou",
        "name_vi": "Rượu dừa Bến Tre",
        "name_en": "Bến Tre coconut wine",
        "summary_vi": "Rượu nếp ủ trong trái dừa khô, thơm mùi dừa; dành cho người trên 18 tuổi.",
        "summary_en": "Rice wine matured inside a dried coconut, with a coconut aroma; for adults 18+ only.",
        "description_vi": "Rượu nếp được rót vào trái dừa đã khoét và bịt kín, để ngấm hương dừa. "
        "Uống có trách nhiệm; không bán cho người dưới 18 tuổi.",
        "description_en": "Rice wine is poured into a hollowed coconut and sealed so it takes on the coconut's "
        "aroma. Drink responsibly; not sold to anyone under 18.",
        "unit_vi": "trái",
        "unit_en": "coconut",
        "shelf_life_days": 365,
        "art_colour": "#8c6d46",
        "variants": [_v("BTR-RUOU-DUA", "Trái dừa 500 ml", "500 ml coconut", 120_000, 1200, 40)],
        "certificates": [_cert(3, "3690/QĐ-UBND", date(2025, 11, 27), ("UBND tỉnh Vĩnh Long", "province"), 62)],
    },
    # Đồng Tháp (Sa Đéc) ---------------------------------------------------------------------------------
    {
        "slug": "cuc-mam-xoi-sa-dec",
        "producer": "1400900014",
        "group_code": "sinh-vat-canh",
        "subgroup_code": "hoa",
        "name_vi": "Cúc mâm xôi Sa Đéc",
        "name_en": "Sa Đéc button chrysanthemum",
        "summary_vi": "Chậu cúc mâm xôi vàng nở tròn, bày Tết.",
        "summary_en": "Pots of round yellow button chrysanthemums for Tết.",
        "description_vi": "Cúc được trồng trên giàn cao, bấm ngọn nhiều lần để tán tròn. "
        "Tưới gốc mỗi sáng, tránh tưới lên hoa.",
        "description_en": "Grown on raised racks and pinched many times for a round crown. "
        "Water the base each morning, not the flowers.",
        "unit_vi": "chậu",
        "unit_en": "pot",
        "season": (12, 2),
        "art_colour": "#f2b824",
        "variants": [
            _v("SD-CMX-30", "Chậu 30 cm", "30 cm pot", 180_000, 5000, 80),
            _v("SD-CMX-CAP50", "Cặp chậu 50 cm", "Pair of 50 cm pots", 900_000, 24000, 15),
        ],
        "certificates": [_cert(4, "1985/QĐ-UBND", date(2024, 12, 5), ("UBND tỉnh Đồng Tháp", "province"), 74)],
    },
    {
        "slug": "bonsai-mini-sa-dec",
        "producer": "1400900014",
        "group_code": "sinh-vat-canh",
        "subgroup_code": "cay-canh",
        "name_vi": "Bonsai mini Sa Đéc",
        "name_en": "Sa Đéc mini bonsai",
        "summary_vi": "Cây kiểng mini uốn dáng trong chậu gốm, để bàn làm việc.",
        "summary_en": "A small shaped tree in a ceramic pot for the desk.",
        "description_vi": "Cây được uốn dáng và trồng chậu gốm có lỗ thoát nước. "
        "Đặt nơi có ánh sáng, tưới khi mặt đất khô.",
        "description_en": "Shaped and planted in a glazed pot with a drainage hole. "
        "Keep in good light and water when the soil is dry.",
        "unit_vi": "chậu",
        "unit_en": "pot",
        "art_colour": "#3d7a5a",
        "variants": [
            _v("SD-BONSAI-30", "Chậu mini (cao 30 cm)", "Mini pot (30 cm)", 350_000, 2000, 40),
            _v("SD-BONSAI-60", "Chậu vừa (cao 60 cm)", "Medium pot (60 cm)", 1_200_000, 8000, 8),
        ],
        "certificates": [_cert(4, "688/QĐ-UBND", date(2025, 4, 15), ("UBND tỉnh Đồng Tháp", "province"), 72)],
    },
    # Đắk Lắk --------------------------------------------------------------------------------------------
    {
        "slug": "ca-phe-robusta-buon-ma-thuot",
        "producer": "6000000152",
        "group_code": "do-uong",
        "subgroup_code": "do-uong-khac",
        "name_vi": "Cà phê Robusta rang xay Buôn Ma Thuột",
        "name_en": "Buôn Ma Thuột ground Robusta coffee",
        "summary_vi": "Robusta hái chín, rang mộc, xay vừa cho phin.",
        "summary_en": "Ripe-picked Robusta, plain-roasted and ground for the phin filter.",
        "description_vi": "Quả chín được phơi, xát và rang mộc không tẩm bơ. Vị đậm, đắng, hậu ngọt.",
        "description_en": "Ripe cherries are sun-dried, hulled and roasted plain, with no butter. Strong and bitter "
        "with a sweet finish.",
        "unit_vi": "gói",
        "unit_en": "pack",
        "shelf_life_days": 365,
        "art_colour": "#6f4e37",
        "variants": [
            _v("BMT-CP-500", "Gói 500 g", "500 g pack", 180_000, 500, 70),
            _v("BMT-CP-1KG", "Túi 1 kg", "1 kg bag", 340_000, 1000, 25),
        ],
        "certificates": [_cert(4, "57/QĐ-UBND", date(2025, 1, 9), ("UBND tỉnh Đắk Lắk", "province"), 86)],
    },
    {
        "slug": "mat-ong-hoa-ca-phe-dak-lak",
        "producer": "6000000152",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Mật ong hoa cà phê Đắk Lắk",
        "name_en": "Đắk Lắk coffee-blossom honey",
        "summary_vi": "Mật ong từ đàn ong nuôi trong vườn cà phê mùa hoa nở.",
        "summary_en": "Honey from hives kept among the coffee trees while they flower.",
        "description_vi": "Mật được quay khi ong đã vít nắp, lọc và đóng chai thủy tinh. "
        "Mật có thể kết tinh khi trời lạnh; ngâm chai trong nước ấm để mật lỏng lại.",
        "description_en": "Extracted once the bees have capped the comb, filtered and bottled in glass. "
        "It may crystallise in the cold; stand the bottle in warm water to loosen it.",
        "unit_vi": "chai",
        "unit_en": "bottle",
        "shelf_life_days": 730,
        "art_colour": "#d9822b",
        "variants": [_v("BMT-MO-500", "Chai 500 ml", "500 ml bottle", 220_000, 900, 35)],
        "certificates": [_cert(4, "1244/QĐ-UBND", date(2026, 5, 14), ("UBND tỉnh Đắk Lắk", "province"), 71)],
    },
    # Thái Nguyên ---------------------------------------------------------------------------------------
    {
        "slug": "che-moc-cau-tan-cuong",
        "producer": "4600000168",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Chè móc câu Tân Cương",
        "name_en": "Tân Cương hook-leaf green tea",
        "summary_vi": "Chè búp sao chảo gang, cánh xoăn như móc câu, nước xanh, hậu ngọt.",
        "summary_en": "Pan-fired tea buds curled like fish hooks: green liquor with a sweet finish.",
        "description_vi": "Một tôm hai lá được hái sáng sớm, sao và vò nhiều lần trên chảo gang. "
        "Pha nước 80–85 °C để chè không bị chát.",
        "description_en": "A bud and two leaves are picked early and fired and rolled several times in cast-iron "
        "woks. Brew at 80–85 °C so it is not astringent.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 365,
        "art_colour": "#4f7f3a",
        "variants": [
            _v("TC-MC-200", "Hộp 200 g", "200 g box", 250_000, 200, 60),
            _v("TC-MC-500", "Hộp 500 g", "500 g box", 600_000, 500, 20),
        ],
        "certificates": [_cert(5, "4406/QĐ-BNN-VPĐP", date(2024, 10, 29), MARD, 91)],
    },
    {
        "slug": "che-non-tom-tan-cuong",
        "producer": "4600000168",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Chè nõn tôm Tân Cương",
        "name_en": "Tân Cương bud-only green tea",
        "summary_vi": "Chỉ hái phần búp non nhất, nước vàng xanh, hương cốm.",
        "summary_en": "Only the youngest buds: yellow-green liquor with a young-rice aroma.",
        "description_vi": "Loại chè hái kỹ nhất của hợp tác xã, sản lượng ít. Pha nước 80 °C.",
        "description_en": "The co-operative's most carefully picked grade, made in small amounts. Brew at 80 °C.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 365,
        "art_colour": "#7a9a3a",
        "variants": [_v("TC-NT-100", "Hộp 100 g", "100 g box", 300_000, 100, 15)],
        "certificates": [_cert(4, "2198/QĐ-UBND", date(2025, 8, 5), ("UBND tỉnh Thái Nguyên", "province"), 85)],
    },
    # Bắc Ninh (Lục Ngạn, formerly Bắc Giang) ------------------------------------------------------------
    {
        "slug": "vai-thieu-luc-ngan",
        "producer": "2400000174",
        "group_code": "thuc-pham",
        "subgroup_code": "nong-san-tuoi",
        "name_vi": "Vải thiều Lục Ngạn",
        "name_en": "Lục Ngạn lychees",
        "summary_vi": "Vải thiều chín cây, cùi dày hạt nhỏ, hái và đóng thùng trong ngày.",
        "summary_en": "Tree-ripened lychees with thick flesh and small stones, picked and boxed the same day.",
        "description_vi": "Chỉ bán trong mùa vải, tháng 6 và tháng 7. Bảo quản ngăn mát, dùng trong 5 ngày.",
        "description_en": "Sold only in lychee season, June and July. Keep refrigerated and eat within 5 days.",
        "unit_vi": "thùng",
        "unit_en": "box",
        "shelf_life_days": 5,
        "season": (6, 7),
        "art_colour": "#c8553d",
        "variants": [
            _v("LN-VAI-2KG", "Thùng 2 kg", "2 kg box", 160_000, 2000, 0),
            _v("LN-VAI-5KG", "Thùng 5 kg", "5 kg box", 380_000, 5000, 0),
        ],
        "certificates": [_cert(4, "864/QĐ-UBND", date(2024, 6, 3), ("UBND tỉnh Bắc Giang", "province"), 80)],
    },
    {
        "slug": "vai-say-kho-luc-ngan",
        "producer": "2400000174",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-khac",
        "name_vi": "Vải sấy khô Lục Ngạn",
        "name_en": "Lục Ngạn dried lychees",
        "summary_vi": "Vải thiều sấy cả vỏ, cùi dẻo, ngọt đậm, dùng quanh năm.",
        "summary_en": "Lychees dried in their shells: chewy, deeply sweet, available all year.",
        "description_vi": "Vải chín được sấy lò nhiều ngày cho đến khi cùi khô dẻo. Bóc vỏ và dùng ngay.",
        "description_en": "Ripe lychees are kiln-dried over several days until the flesh is dry and chewy. "
        "Peel and eat.",
        "unit_vi": "túi",
        "unit_en": "bag",
        "shelf_life_days": 180,
        "art_colour": "#8e3b3b",
        "variants": [_v("LN-VAISAY-500", "Túi 500 g", "500 g bag", 140_000, 500, 45)],
        "certificates": [_cert(4, "2950/QĐ-UBND", date(2025, 12, 18), ("UBND tỉnh Bắc Ninh", "province"), 73)],
    },
    # Not for shoppers: a draft and an archived product, which must never show ---------------------
    {
        "slug": "xoi-la-cam-phu-thuong",
        "producer": "0109000015",
        "status": "draft",
        "group_code": "thuc-pham",
        "subgroup_code": "che-bien-tu-gao",
        "name_vi": "Xôi lá cẩm Phú Thượng",
        "name_en": "Phú Thượng purple sticky rice",
        "summary_vi": "Xôi nhuộm tím bằng lá cẩm (đang soạn).",
        "summary_en": "Sticky rice coloured purple with magenta leaves (draft).",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 1,
        "art_colour": "#6a3d7a",
        "variants": [_v("XPT-LACAM-500", "Hộp 500 g", "500 g box", 45_000, 500, 0)],
        "certificates": [],
    },
    {
        "slug": "tra-sen-hop-thiec-quang-an-mau-cu",
        "producer": "0109000022",
        "status": "archived",
        "group_code": "do-uong",
        "subgroup_code": "tra",
        "name_vi": "Trà sen hộp thiếc Quảng An (mẫu cũ)",
        "name_en": "Quảng An lotus tea, tin (old packaging)",
        "summary_vi": "Mẫu hộp cũ, đã ngừng bán.",
        "summary_en": "Old packaging, no longer sold.",
        "unit_vi": "hộp",
        "unit_en": "box",
        "shelf_life_days": 365,
        "art_colour": "#b5543c",
        "variants": [_v("CSQA-THIEC-100", "Hộp thiếc 100 g", "100 g tin", 1_100_000, 150, 0)],
        "certificates": [],
    },
]

# --- Illustrations ---------------------------------------------------------------------------------
# What each subgroup's drawing shows, for the images' alt text.
SCENES = {
    "nong-san-tuoi": ("giỏ trái cây tươi", "a basket of fresh fruit"),
    "che-bien-tu-gao": ("bát xôi trên lá chuối", "a bowl of sticky rice on a banana leaf"),
    "che-bien-khac": ("hũ đặc sản và vài miếng bên cạnh", "a jar of the speciality with a few pieces beside it"),
    "gia-vi": ("chai nước chấm và đĩa nhỏ", "a bottle with a small dipping dish"),
    "tra": ("ấm trà và chén trà bốc khói", "a teapot and a steaming cup"),
    "ruou": ("chai rượu và chén nhỏ", "a bottle and a small cup"),
    "do-uong-khac": ("tách đồ uống bốc khói và hạt", "a steaming cup with beans"),
    "duoc-lieu-tho": ("bó thảo dược buộc dây", "a tied bundle of herbs"),
    "san-pham-tu-duoc-lieu": ("cối giã thuốc và lá thảo dược", "a mortar and pestle with herbs"),
    "det-may": ("chồng vải dệt gấp và dải khăn", "folded woven cloth and a flowing scarf"),
    "may-tre-dan-go": ("giỏ mây tre đan", "a woven bamboo basket"),
    "gom-su": ("bình gốm vẽ hoa văn và chén nhỏ", "a patterned ceramic vase and a small cup"),
    "thu-cong-khac": ("bình thủ công vẽ hoa văn", "a patterned handmade vase"),
    "hoa": ("cành hoa đang nở", "a branch in flower"),
    "cay-canh": ("cây cảnh trong chậu", "a potted ornamental tree"),
    "dong-vat-canh": ("bể cá cảnh", "an ornamental fish bowl"),
    "du-lich-cong-dong": ("nhà sàn giữa đồi xanh", "a stilt house among green hills"),
    "diem-du-lich": ("thuyền trên sông giữa núi", "a boat on a river among mountains"),
}

# --- Parts for synthetic products (`seed-demo --products N`) ----------------------------------------
# Per subgroup: (base names vi/en, qualifiers vi/en, unit vi/en, price range in đồng, pack sizes
# as (name vi, name en, weight g, price factor), shelf life in days or None).
_PACKS_FOOD = [
    ("Gói 250 g", "250 g pack", 250, 1.0),
    ("Hộp 500 g", "500 g box", 500, 1.9),
    ("Túi 1 kg", "1 kg bag", 1000, 3.6),
]
_PACKS_BOTTLE = [
    ("Chai 250 ml", "250 ml bottle", 350, 1.0),
    ("Chai 500 ml", "500 ml bottle", 650, 1.8),
    ("Thùng 6 chai", "Case of 6", 4000, 10.0),
]
_PACKS_TEA = [
    ("Gói 100 g", "100 g pack", 100, 1.0),
    ("Hộp 200 g", "200 g box", 200, 1.9),
    ("Hộp 500 g", "500 g box", 500, 4.5),
]
_PACKS_PIECE = [("Cỡ nhỏ", "Small", 500, 1.0), ("Cỡ vừa", "Medium", 1200, 1.8), ("Cỡ lớn", "Large", 2500, 3.2)]
_PACKS_PLANT = [
    ("Chậu nhỏ", "Small pot", 3000, 1.0),
    ("Chậu vừa", "Medium pot", 8000, 2.5),
    ("Chậu lớn", "Large pot", 20000, 6.0),
]
_PACKS_GUEST = [
    ("Vé người lớn", "Adult ticket", None, 1.0),
    ("Vé trẻ em", "Child ticket", None, 0.6),
    ("Nhóm 4 khách", "Group of 4", None, 3.5),
]

SYNTH_PARTS = {
    "nong-san-tuoi": (
        [
            ("Bưởi", "pomelo"),
            ("Cam", "oranges"),
            ("Nhãn", "longans"),
            ("Xoài", "mangoes"),
            ("Chuối", "bananas"),
            ("Na", "custard apples"),
            ("Khoai lang", "sweet potatoes"),
        ],
        [("hữu cơ", "organic"), ("chín cây", "tree-ripened"), ("VietGAP", "VietGAP"), ("loại 1", "grade 1")],
        ("thùng", "box"),
        (60_000, 250_000),
        _PACKS_FOOD,
        7,
    ),
    "che-bien-tu-gao": (
        [
            ("Bánh chưng", "bánh chưng"),
            ("Cốm", "young rice flakes"),
            ("Miến dong", "arrowroot noodles"),
            ("Bánh đa", "rice crackers"),
            ("Bún khô", "dried rice vermicelli"),
            ("Gạo nếp", "glutinous rice"),
            ("Bánh phở khô", "dried phở noodles"),
        ],
        [
            ("truyền thống", "traditional"),
            ("làm thủ công", "handmade"),
            ("thượng hạng", "premium"),
            ("gia truyền", "family-recipe"),
        ],
        ("gói", "pack"),
        (30_000, 120_000),
        _PACKS_FOOD,
        180,
    ),
    "che-bien-khac": (
        [
            ("Mứt gừng", "candied ginger"),
            ("Mật ong", "honey"),
            ("Chà bông cá", "fish floss"),
            ("Lạp xưởng", "Chinese-style sausage"),
            ("Khô cá", "dried fish"),
            ("Bánh pía", "bánh pía"),
            ("Măng khô", "dried bamboo shoots"),
            ("Mận sấy", "dried plums"),
        ],
        [("đặc sản", "speciality"), ("thủ công", "handmade"), ("sấy lạnh", "cold-dried"), ("loại ngon", "choice")],
        ("hộp", "box"),
        (45_000, 300_000),
        _PACKS_FOOD,
        180,
    ),
    "gia-vi": (
        [
            ("Nước mắm", "fish sauce"),
            ("Tương ớt", "chilli sauce"),
            ("Muối tôm", "shrimp salt"),
            ("Mắm tôm", "shrimp paste"),
            ("Hạt tiêu", "black pepper"),
            ("Tương bần", "fermented soybean sauce"),
        ],
        [("truyền thống", "traditional"), ("nguyên chất", "pure"), ("đặc biệt", "special"), ("gia truyền", "family")],
        ("chai", "bottle"),
        (35_000, 180_000),
        _PACKS_BOTTLE,
        540,
    ),
    "tra": (
        [
            ("Trà xanh", "green tea"),
            ("Trà shan tuyết", "Shan tuyết tea"),
            ("Trà hoa vàng", "golden camellia tea"),
            ("Trà ô long", "oolong tea"),
            ("Trà atiso", "artichoke tea"),
            ("Trà gừng", "ginger tea"),
        ],
        [("búp", "bud"), ("thượng hạng", "premium"), ("hữu cơ", "organic"), ("túi lọc", "bagged")],
        ("hộp", "box"),
        (60_000, 400_000),
        _PACKS_TEA,
        540,
    ),
    "ruou": (
        [
            ("Rượu nếp", "glutinous rice wine"),
            ("Rượu ngô", "corn liquor"),
            ("Rượu mơ", "apricot liqueur"),
            ("Rượu sim", "rose-myrtle wine"),
            ("Rượu cần", "rượu cần"),
        ],
        [("men lá", "leaf-yeast"), ("truyền thống", "traditional"), ("ủ lâu năm", "aged"), ("đặc biệt", "special")],
        ("chai", "bottle"),
        (90_000, 450_000),
        _PACKS_BOTTLE,
        1095,
    ),
    "do-uong-khac": (
        [
            ("Cà phê", "coffee"),
            ("Ca cao", "cocoa"),
            ("Nước cốt chanh leo", "passion-fruit concentrate"),
            ("Siro gừng", "ginger syrup"),
            ("Bột sắn dây", "kudzu starch drink"),
        ],
        [("rang mộc", "plain-roasted"), ("nguyên chất", "pure"), ("hữu cơ", "organic"), ("đặc sản", "speciality")],
        ("gói", "pack"),
        (50_000, 300_000),
        _PACKS_FOOD,
        365,
    ),
    "duoc-lieu-tho": (
        [
            ("Đinh lăng", "Polyscias root"),
            ("Giảo cổ lam", "jiaogulan"),
            ("Cà gai leo", "Solanum procumbens"),
            ("Sâm đất", "earth ginseng"),
            ("Nghệ vàng", "turmeric"),
            ("Quế", "cinnamon bark"),
        ],
        [("sấy khô", "dried"), ("thái lát", "sliced"), ("túi lọc", "bagged"), ("hữu cơ", "organic")],
        ("gói", "pack"),
        (50_000, 350_000),
        _PACKS_TEA,
        540,
    ),
    "san-pham-tu-duoc-lieu": (
        [
            ("Tinh dầu quế", "cinnamon oil"),
            ("Cao gừng", "ginger balm"),
            ("Tinh bột nghệ", "turmeric powder"),
            ("Dầu xoa bóp", "massage oil"),
            ("Xà phòng thảo dược", "herbal soap"),
        ],
        [("nguyên chất", "pure"), ("thủ công", "handmade"), ("thảo dược", "herbal"), ("gia truyền", "family-recipe")],
        ("lọ", "jar"),
        (40_000, 250_000),
        _PACKS_BOTTLE,
        730,
    ),
    "det-may": (
        [
            ("Khăn thổ cẩm", "brocade scarf"),
            ("Túi thổ cẩm", "brocade bag"),
            ("Khăn lụa", "silk scarf"),
            ("Vải lanh", "hemp cloth"),
            ("Áo chàm", "indigo shirt"),
        ],
        [
            ("dệt tay", "hand-woven"),
            ("nhuộm chàm", "indigo-dyed"),
            ("thêu tay", "hand-embroidered"),
            ("hoa văn cổ", "old-pattern"),
        ],
        ("chiếc", "piece"),
        (150_000, 900_000),
        _PACKS_PIECE,
        None,
    ),
    "may-tre-dan-go": (
        [
            ("Giỏ mây", "rattan basket"),
            ("Khay tre", "bamboo tray"),
            ("Đèn tre", "bamboo lamp"),
            ("Hộp gỗ", "wooden box"),
            ("Thớt gỗ", "wooden chopping board"),
        ],
        [("đan tay", "hand-woven"), ("sơn mài", "lacquered"), ("mộc", "natural"), ("chạm khắc", "carved")],
        ("chiếc", "piece"),
        (80_000, 600_000),
        _PACKS_PIECE,
        None,
    ),
    "gom-su": (
        [
            ("Bình gốm", "ceramic vase"),
            ("Bộ ấm chén", "tea set"),
            ("Lọ hoa", "flower jar"),
            ("Bát gốm", "bowl"),
            ("Đĩa gốm", "ceramic plate"),
        ],
        [
            ("men lam", "blue-glazed"),
            ("men rạn", "crackle-glazed"),
            ("men hỏa biến", "flambé-glazed"),
            ("vẽ tay", "hand-painted"),
        ],
        ("chiếc", "piece"),
        (120_000, 1_500_000),
        _PACKS_PIECE,
        None,
    ),
    "thu-cong-khac": (
        [
            ("Tranh sơn mài", "lacquer painting"),
            ("Nón lá", "conical hat"),
            ("Quạt giấy", "paper fan"),
            ("Tranh dân gian", "folk print"),
            ("Đèn lồng", "lantern"),
        ],
        [("thủ công", "handmade"), ("truyền thống", "traditional"), ("vẽ tay", "hand-painted"), ("quà tặng", "gift")],
        ("chiếc", "piece"),
        (60_000, 1_200_000),
        _PACKS_PIECE,
        None,
    ),
    "hoa": (
        [
            ("Hoa lan", "orchid"),
            ("Cúc", "chrysanthemum"),
            ("Hoa hồng", "rose"),
            ("Hoa đào", "peach blossom"),
            ("Hoa mai", "apricot blossom"),
            ("Hoa ly", "lily"),
        ],
        [("chậu", "potted"), ("cắt cành", "cut"), ("Tết", "Tết"), ("bó", "bunch of")],
        ("chậu", "pot"),
        (120_000, 900_000),
        _PACKS_PLANT,
        10,
    ),
    "cay-canh": (
        [
            ("Quất cảnh", "kumquat tree"),
            ("Bonsai", "bonsai"),
            ("Sung cảnh", "fig bonsai"),
            ("Cây lộc vừng", "Barringtonia tree"),
            ("Tùng la hán", "Buddhist pine"),
        ],
        [("dáng trực", "upright"), ("mini", "mini"), ("thế", "shaped"), ("để bàn", "desk")],
        ("chậu", "pot"),
        (200_000, 2_500_000),
        _PACKS_PLANT,
        None,
    ),
    "dong-vat-canh": (
        [
            ("Cá koi", "koi"),
            ("Cá vàng", "goldfish"),
            ("Chim chào mào", "red-whiskered bulbul"),
            ("Cá betta", "betta fish"),
        ],
        [("giống chọn lọc", "selected"), ("thuần", "hand-raised"), ("cặp", "pair of"), ("cảnh", "ornamental")],
        ("con", "animal"),
        (80_000, 1_500_000),
        _PACKS_PIECE,
        None,
    ),
    "du-lich-cong-dong": (
        [
            ("Homestay", "homestay"),
            ("Trải nghiệm làm nông", "farm experience"),
            ("Tour đạp xe", "bicycle tour"),
            ("Lớp nấu ăn", "cooking class"),
            ("Trải nghiệm làng nghề", "craft village visit"),
        ],
        [("cộng đồng", "community"), ("nửa ngày", "half-day"), ("trọn gói", "all-inclusive"), ("cuối tuần", "weekend")],
        ("khách", "guest"),
        (150_000, 900_000),
        _PACKS_GUEST,
        None,
    ),
    "diem-du-lich": (
        [
            ("Vé tham quan", "entry ticket"),
            ("Tour thuyền", "boat tour"),
            ("Vé leo núi", "hiking pass"),
            ("Vé làng cổ", "old village ticket"),
        ],
        [("cả ngày", "full-day"), ("có hướng dẫn", "guided"), ("buổi sáng", "morning"), ("gia đình", "family")],
        ("vé", "ticket"),
        (50_000, 500_000),
        _PACKS_GUEST,
        None,
    ),
}

SYNTH_PRODUCER_PREFIXES = [
    ("HTX Nông sản", "cooperative"),
    ("HTX Dịch vụ Tổng hợp", "cooperative"),
    ("HTX Làng nghề", "cooperative"),
    ("Công ty TNHH Đặc sản", "company"),
    ("Công ty CP Thực phẩm", "company"),
    ("Hộ kinh doanh", "household"),
]
