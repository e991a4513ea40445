//! Land-use code catalogues and the two memberships the rules need: "一住两公" (residential + public
//! administration and public service) and GB 36600-2018 first-class land.
//!
//! The catalogues are complete to the level bureaus write in plans; a code that is not listed is an
//! error, never silently "not residential".

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CodeSystem {
    /// 国土空间调查、规划、用途管制用地用海分类指南 (2023)
    #[default]
    Ydyh2023,
    /// GB/T 21010-2017 土地利用现状分类
    Gbt21010,
    /// GB 50137-2011 城市用地分类与规划建设用地标准
    Gb50137,
}

impl CodeSystem {
    pub const ALL: [CodeSystem; 3] = [CodeSystem::Ydyh2023, CodeSystem::Gbt21010, CodeSystem::Gb50137];

    pub fn as_str(self) -> &'static str {
        match self {
            CodeSystem::Ydyh2023 => "ydyh2023",
            CodeSystem::Gbt21010 => "gbt21010",
            CodeSystem::Gb50137 => "gb50137",
        }
    }

    fn catalogue(self) -> &'static [(&'static str, &'static str)] {
        match self {
            CodeSystem::Ydyh2023 => YDYH2023,
            CodeSystem::Gbt21010 => GBT21010,
            CodeSystem::Gb50137 => GB50137,
        }
    }
}

impl fmt::Display for CodeSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandUseError {
    #[error("unknown land-use code system '{0}' (expected ydyh2023, gbt21010 or gb50137)")]
    UnknownSystem(String),
    #[error("unknown land-use code '{code}' in {system}")]
    UnknownCode { code: String, system: CodeSystem },
}

impl FromStr for CodeSystem {
    type Err = LandUseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodeSystem::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| LandUseError::UnknownSystem(s.to_string()))
    }
}

/// Settings that change how codes are classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LandUsePolicy {
    /// Whether GB/T 21010 `0809` (公用设施用地) and `0810` (公园与绿地) count as public service land.
    /// They sit in class 08 in GB/T 21010 but not in the 2023 guide; included by default.
    pub gbt21010_0809_0810_public: bool,
}

impl Default for LandUsePolicy {
    fn default() -> Self {
        LandUsePolicy { gbt21010_0809_0810_public: true }
    }
}

/// A code known to its catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandUse {
    pub system: CodeSystem,
    pub code: String,
    pub name: &'static str,
}

impl LandUse {
    pub fn parse(system: CodeSystem, code: &str) -> Result<LandUse, LandUseError> {
        let trimmed = code.trim();
        let normalised = if system == CodeSystem::Gb50137 { trimmed.to_ascii_uppercase() } else { trimmed.to_string() };
        system
            .catalogue()
            .iter()
            .find(|(c, _)| *c == normalised)
            .map(|(c, name)| LandUse { system, code: (*c).to_string(), name })
            .ok_or(LandUseError::UnknownCode { code: code.to_string(), system })
    }

    /// Residential land (住宅用地).
    pub fn is_residential(&self) -> bool {
        match self.system {
            CodeSystem::Ydyh2023 => self.code.starts_with("07"),
            CodeSystem::Gbt21010 => self.code.starts_with("07"),
            CodeSystem::Gb50137 => self.code.starts_with('R'),
        }
    }

    /// Public administration and public service land (公共管理与公共服务用地).
    pub fn is_public_service(&self, policy: &LandUsePolicy) -> bool {
        match self.system {
            CodeSystem::Ydyh2023 => self.code.starts_with("08"),
            CodeSystem::Gbt21010 => {
                if self.code == "0809" || self.code == "0810" {
                    policy.gbt21010_0809_0810_public
                } else {
                    self.code.starts_with("08")
                }
            }
            CodeSystem::Gb50137 => self.code.starts_with('A'),
        }
    }

    /// "一住两公": residential or public administration / public service land.
    pub fn is_housing_or_public(&self, policy: &LandUsePolicy) -> bool {
        self.is_residential() || self.is_public_service(policy)
    }

    /// Residential or public-service land proper: GB/T 21010 `0809` (utilities) and `0810` (parks) never
    /// count, whatever the setting. A change between such uses is the one that needs no new survey.
    pub fn is_housing_or_public_proper(&self) -> bool {
        let utilities_or_parks = self.system == CodeSystem::Gbt21010 && matches!(self.code.as_str(), "0809" | "0810");
        !utilities_or_parks && self.is_housing_or_public(&LandUsePolicy { gbt21010_0809_0810_public: false })
    }

    /// GB 36600-2018 第一类用地: residential, schools, kindergartens, medical, social welfare, community and
    /// children's parks. Where a catalogue cannot tell a community park from another park, the park
    /// class counts as first-class: the stricter reading protects people.
    /// A parent code (GB/T 21010 `07`, 用地用海 `0804`, GB 50137 `A3`) is first-class when any of its
    /// children is: a plan that names only the parent allows the child.
    pub fn is_first_class(&self) -> bool {
        let system = self.system;
        system.catalogue().iter().any(|(c, _)| c.starts_with(self.code.as_str()) && code_is_first_class(system, c))
    }

    /// Agricultural use (farmland, gardens, forest, grass): a change to a non-agricultural use is "construction".
    pub fn is_agricultural(&self) -> bool {
        let c = self.code.as_str();
        match self.system {
            CodeSystem::Ydyh2023 => matches!(&c[..2], "01" | "02" | "03" | "04"),
            CodeSystem::Gbt21010 => matches!(&c[..2], "01" | "02" | "03" | "04"),
            CodeSystem::Gb50137 => c == "E2",
        }
    }
}

/// A code that is itself first-class land, children aside.
fn code_is_first_class(system: CodeSystem, c: &str) -> bool {
    match system {
        CodeSystem::Ydyh2023 => {
            c.starts_with("07")
                || c == "080403"
                || c == "080404"
                || c.starts_with("0806")
                || c.starts_with("0807")
                || c == "1401"
        }
        CodeSystem::Gbt21010 => matches!(c, "0701" | "0702" | "0803" | "0805" | "0806" | "0810"),
        CodeSystem::Gb50137 => c.starts_with('R') || c == "A33" || c.starts_with("A5") || c == "A6" || c == "G1",
    }
}

/// Third national land survey (三调) farmland type codes used on classification units.
pub const FARMLAND_TYPES: &[(&str, &str)] = &[("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地")];

pub fn farmland_type_name(code: &str) -> Option<&'static str> {
    FARMLAND_TYPES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

const YDYH2023: &[(&str, &str)] = &[
    ("01", "耕地"),
    ("0101", "水田"),
    ("0102", "水浇地"),
    ("0103", "旱地"),
    ("02", "园地"),
    ("0201", "果园"),
    ("0202", "茶园"),
    ("0203", "橡胶园地"),
    ("0204", "油料园地"),
    ("0205", "其他园地"),
    ("03", "林地"),
    ("0301", "乔木林地"),
    ("0302", "竹林地"),
    ("0303", "灌木林地"),
    ("0304", "其他林地"),
    ("04", "草地"),
    ("0401", "天然牧草地"),
    ("0402", "人工牧草地"),
    ("0403", "其他草地"),
    ("05", "湿地"),
    ("0501", "森林沼泽"),
    ("0502", "灌丛沼泽"),
    ("0503", "沼泽草地"),
    ("0504", "其他沼泽地"),
    ("0505", "沿海滩涂"),
    ("0506", "内陆滩涂"),
    ("0507", "红树林地"),
    ("06", "农业设施建设用地"),
    ("0601", "乡村道路用地"),
    ("060101", "村道用地"),
    ("060102", "田间道"),
    ("0602", "种植设施建设用地"),
    ("0603", "畜禽养殖设施建设用地"),
    ("0604", "水产养殖设施建设用地"),
    ("07", "居住用地"),
    ("0701", "城镇住宅用地"),
    ("070101", "一类城镇住宅用地"),
    ("070102", "二类城镇住宅用地"),
    ("070103", "三类城镇住宅用地"),
    ("0702", "城镇社区服务设施用地"),
    ("0703", "农村宅基地"),
    ("070301", "一类农村宅基地"),
    ("070302", "二类农村宅基地"),
    ("0704", "农村社区服务设施用地"),
    ("08", "公共管理与公共服务用地"),
    ("0801", "机关团体用地"),
    ("0802", "科研用地"),
    ("0803", "文化用地"),
    ("080301", "图书与展览用地"),
    ("080302", "文化活动用地"),
    ("0804", "教育用地"),
    ("080401", "高等教育用地"),
    ("080402", "中等职业教育用地"),
    ("080403", "中小学用地"),
    ("080404", "幼儿园用地"),
    ("080405", "其他教育用地"),
    ("0805", "体育用地"),
    ("080501", "体育场馆用地"),
    ("080502", "体育训练用地"),
    ("0806", "医疗卫生用地"),
    ("080601", "医院用地"),
    ("080602", "基层医疗卫生设施用地"),
    ("080603", "公共卫生用地"),
    ("0807", "社会福利用地"),
    ("080701", "老年人社会福利用地"),
    ("080702", "儿童社会福利用地"),
    ("080703", "残疾人社会福利用地"),
    ("080704", "其他社会福利用地"),
    ("09", "商业服务业用地"),
    ("0901", "商业用地"),
    ("090101", "零售商业用地"),
    ("090102", "批发市场用地"),
    ("090103", "餐饮用地"),
    ("090104", "旅馆用地"),
    ("090105", "公用设施营业网点用地"),
    ("0902", "商务金融用地"),
    ("0903", "娱乐康体用地"),
    ("090301", "娱乐用地"),
    ("090302", "康体用地"),
    ("0904", "其他商业服务业用地"),
    ("10", "工矿用地"),
    ("1001", "工业用地"),
    ("100101", "一类工业用地"),
    ("100102", "二类工业用地"),
    ("100103", "三类工业用地"),
    ("1002", "采矿用地"),
    ("1003", "盐田"),
    ("11", "仓储用地"),
    ("1101", "物流仓储用地"),
    ("110101", "一类物流仓储用地"),
    ("110102", "二类物流仓储用地"),
    ("110103", "三类物流仓储用地"),
    ("1102", "储备库用地"),
    ("12", "交通运输用地"),
    ("1201", "铁路用地"),
    ("1202", "公路用地"),
    ("1203", "机场用地"),
    ("1204", "港口码头用地"),
    ("1205", "管道运输用地"),
    ("1206", "城市轨道交通用地"),
    ("1207", "城镇村道路用地"),
    ("1208", "交通场站用地"),
    ("120801", "对外交通场站用地"),
    ("120802", "公共交通场站用地"),
    ("120803", "社会停车场用地"),
    ("1209", "其他交通设施用地"),
    ("13", "公用设施用地"),
    ("1301", "供水用地"),
    ("1302", "排水用地"),
    ("1303", "供电用地"),
    ("1304", "供燃气用地"),
    ("1305", "供热用地"),
    ("1306", "通信用地"),
    ("1307", "邮政用地"),
    ("1308", "广播电视设施用地"),
    ("1309", "环卫用地"),
    ("1310", "消防用地"),
    ("1311", "水工设施用地"),
    ("1312", "其他公用设施用地"),
    ("14", "绿地与开敞空间用地"),
    ("1401", "公园绿地"),
    ("1402", "防护绿地"),
    ("1403", "广场用地"),
    ("15", "特殊用地"),
    ("1501", "军事设施用地"),
    ("1502", "使领馆用地"),
    ("1503", "宗教用地"),
    ("1504", "文物古迹用地"),
    ("1505", "监教场所用地"),
    ("1506", "殡葬用地"),
    ("1507", "其他特殊用地"),
    ("16", "留白用地"),
    ("17", "陆地水域"),
    ("1701", "河流水面"),
    ("1702", "湖泊水面"),
    ("1703", "水库水面"),
    ("1704", "坑塘水面"),
    ("1705", "沟渠"),
    ("1706", "冰川及常年积雪"),
    ("18", "渔业用海"),
    ("19", "工矿通信用海"),
    ("20", "交通运输用海"),
    ("21", "游憩用海"),
    ("22", "特殊用海"),
    ("23", "其他土地"),
    ("2301", "空闲地"),
    ("2302", "田坎"),
    ("2303", "盐碱地"),
    ("2304", "沙地"),
    ("2305", "裸土地"),
    ("2306", "裸岩石砾地"),
    ("24", "其他海域"),
];

const GBT21010: &[(&str, &str)] = &[
    ("01", "耕地"),
    ("0101", "水田"),
    ("0102", "水浇地"),
    ("0103", "旱地"),
    ("02", "园地"),
    ("0201", "果园"),
    ("0202", "茶园"),
    ("0203", "橡胶园"),
    ("0204", "其他园地"),
    ("03", "林地"),
    ("0301", "乔木林地"),
    ("0302", "竹林地"),
    ("0303", "红树林地"),
    ("0304", "森林沼泽"),
    ("0305", "灌木林地"),
    ("0306", "灌丛沼泽"),
    ("0307", "其他林地"),
    ("04", "草地"),
    ("0401", "天然牧草地"),
    ("0402", "沼泽草地"),
    ("0403", "人工牧草地"),
    ("0404", "其他草地"),
    ("05", "商服用地"),
    ("0501", "零售商业用地"),
    ("0502", "批发市场用地"),
    ("0503", "餐饮用地"),
    ("0504", "旅馆用地"),
    ("0505", "商务金融用地"),
    ("0506", "娱乐用地"),
    ("0507", "其他商服用地"),
    ("06", "工矿仓储用地"),
    ("0601", "工业用地"),
    ("0602", "采矿用地"),
    ("0603", "盐田"),
    ("0604", "仓储用地"),
    ("07", "住宅用地"),
    ("0701", "城镇住宅用地"),
    ("0702", "农村宅基地"),
    ("08", "公共管理与公共服务用地"),
    ("0801", "机关团体用地"),
    ("0802", "新闻出版用地"),
    ("0803", "教育用地"),
    ("0804", "科研用地"),
    ("0805", "医疗卫生用地"),
    ("0806", "社会福利用地"),
    ("0807", "文化设施用地"),
    ("0808", "体育用地"),
    ("0809", "公用设施用地"),
    ("0810", "公园与绿地"),
    ("09", "特殊用地"),
    ("0901", "军事设施用地"),
    ("0902", "使领馆用地"),
    ("0903", "监教场所用地"),
    ("0904", "宗教用地"),
    ("0905", "殡葬用地"),
    ("0906", "风景名胜设施用地"),
    ("10", "交通运输用地"),
    ("1001", "铁路用地"),
    ("1002", "轨道交通用地"),
    ("1003", "公路用地"),
    ("1004", "城镇村道路用地"),
    ("1005", "交通服务场站用地"),
    ("1006", "农村道路"),
    ("1007", "机场用地"),
    ("1008", "港口码头用地"),
    ("1009", "管道运输用地"),
    ("11", "水域及水利设施用地"),
    ("1101", "河流水面"),
    ("1102", "湖泊水面"),
    ("1103", "水库水面"),
    ("1104", "坑塘水面"),
    ("1105", "沿海滩涂"),
    ("1106", "内陆滩涂"),
    ("1107", "沟渠"),
    ("1108", "沼泽地"),
    ("1109", "水工建筑用地"),
    ("1110", "冰川及永久积雪"),
    ("12", "其他土地"),
    ("1201", "空闲地"),
    ("1202", "设施农用地"),
    ("1203", "田坎"),
    ("1204", "盐碱地"),
    ("1205", "沙地"),
    ("1206", "裸土地"),
    ("1207", "裸岩石砾地"),
];

const GB50137: &[(&str, &str)] = &[
    ("R", "居住用地"),
    ("R1", "一类居住用地"),
    ("R11", "住宅用地"),
    ("R12", "服务设施用地"),
    ("R2", "二类居住用地"),
    ("R21", "住宅用地"),
    ("R22", "服务设施用地"),
    ("R3", "三类居住用地"),
    ("R31", "住宅用地"),
    ("R32", "服务设施用地"),
    ("A", "公共管理与公共服务设施用地"),
    ("A1", "行政办公用地"),
    ("A2", "文化设施用地"),
    ("A21", "图书展览用地"),
    ("A22", "文化活动用地"),
    ("A3", "教育科研用地"),
    ("A31", "高等院校用地"),
    ("A32", "中等专业学校用地"),
    ("A33", "中小学用地"),
    ("A34", "特殊教育用地"),
    ("A35", "科研用地"),
    ("A4", "体育用地"),
    ("A41", "体育场馆用地"),
    ("A42", "体育训练用地"),
    ("A5", "医疗卫生用地"),
    ("A51", "医院用地"),
    ("A52", "卫生防疫用地"),
    ("A53", "特殊医疗用地"),
    ("A59", "其他医疗卫生用地"),
    ("A6", "社会福利用地"),
    ("A7", "文物古迹用地"),
    ("A8", "外事用地"),
    ("A9", "宗教用地"),
    ("B", "商业服务业设施用地"),
    ("B1", "商业用地"),
    ("B11", "零售商业用地"),
    ("B12", "批发市场用地"),
    ("B13", "餐饮用地"),
    ("B14", "旅馆用地"),
    ("B2", "商务用地"),
    ("B21", "金融保险用地"),
    ("B22", "艺术传媒用地"),
    ("B29", "其他商务用地"),
    ("B3", "娱乐康体用地"),
    ("B31", "娱乐用地"),
    ("B32", "康体用地"),
    ("B4", "公用设施营业网点用地"),
    ("B41", "加油加气站用地"),
    ("B49", "其他公用设施营业网点用地"),
    ("B9", "其他服务设施用地"),
    ("M", "工业用地"),
    ("M1", "一类工业用地"),
    ("M2", "二类工业用地"),
    ("M3", "三类工业用地"),
    ("W", "物流仓储用地"),
    ("W1", "一类物流仓储用地"),
    ("W2", "二类物流仓储用地"),
    ("W3", "三类物流仓储用地"),
    ("S", "道路与交通设施用地"),
    ("S1", "城市道路用地"),
    ("S2", "城市轨道交通用地"),
    ("S3", "交通枢纽用地"),
    ("S4", "交通场站用地"),
    ("S41", "公共交通场站用地"),
    ("S42", "社会停车场用地"),
    ("S9", "其他交通设施用地"),
    ("U", "公用设施用地"),
    ("U1", "供应设施用地"),
    ("U11", "供水用地"),
    ("U12", "供电用地"),
    ("U13", "供燃气用地"),
    ("U14", "供热用地"),
    ("U15", "通信用地"),
    ("U16", "广播电视用地"),
    ("U2", "环境设施用地"),
    ("U21", "排水用地"),
    ("U22", "环卫用地"),
    ("U3", "安全设施用地"),
    ("U31", "消防用地"),
    ("U32", "防洪用地"),
    ("U9", "其他公用设施用地"),
    ("G", "绿地与广场用地"),
    ("G1", "公园绿地"),
    ("G2", "防护绿地"),
    ("G3", "广场用地"),
    ("H", "建设用地"),
    ("H1", "城乡居民点建设用地"),
    ("H11", "城市建设用地"),
    ("H12", "镇建设用地"),
    ("H13", "乡建设用地"),
    ("H14", "村庄建设用地"),
    ("H2", "区域交通设施用地"),
    ("H21", "铁路用地"),
    ("H22", "公路用地"),
    ("H23", "港口用地"),
    ("H24", "机场用地"),
    ("H25", "管道运输用地"),
    ("H3", "区域公用设施用地"),
    ("H4", "特殊用地"),
    ("H41", "军事用地"),
    ("H42", "安保用地"),
    ("H5", "采矿用地"),
    ("H9", "其他建设用地"),
    ("E", "非建设用地"),
    ("E1", "水域"),
    ("E11", "自然水域"),
    ("E12", "水库"),
    ("E13", "坑塘沟渠"),
    ("E2", "农林用地"),
    ("E9", "其他非建设用地"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn lu(system: CodeSystem, code: &str) -> LandUse {
        LandUse::parse(system, code).unwrap()
    }

    #[test]
    fn housing_public_and_first_class_membership() {
        use CodeSystem::*;
        let default = LandUsePolicy::default();
        // (system, code, 一住两公, first-class)
        let table: &[(CodeSystem, &str, bool, bool)] = &[
            (Ydyh2023, "07", true, true),
            (Ydyh2023, "0701", true, true),
            (Ydyh2023, "070101", true, true),
            (Ydyh2023, "070103", true, true),
            (Ydyh2023, "0702", true, true),
            (Ydyh2023, "0703", true, true),
            (Ydyh2023, "0704", true, true),
            // A parent is first-class when any child is (issue 11: the old table said false for 08, 0804, A).
            (Ydyh2023, "08", true, true),
            (Ydyh2023, "0801", true, false),
            (Ydyh2023, "0802", true, false),
            (Ydyh2023, "0803", true, false),
            (Ydyh2023, "0804", true, true),
            (Ydyh2023, "080401", true, false),
            (Ydyh2023, "080403", true, true),
            (Ydyh2023, "080404", true, true),
            (Ydyh2023, "0805", true, false),
            (Ydyh2023, "0806", true, true),
            (Ydyh2023, "080601", true, true),
            (Ydyh2023, "0807", true, true),
            (Ydyh2023, "0803", true, false),
            (Ydyh2023, "14", false, true),
            (Ydyh2023, "09", false, false),
            (Ydyh2023, "0901", false, false),
            (Ydyh2023, "1001", false, false),
            (Ydyh2023, "100102", false, false),
            (Ydyh2023, "1101", false, false),
            (Ydyh2023, "1301", false, false),
            (Ydyh2023, "1401", false, true),
            (Ydyh2023, "1402", false, false),
            (Ydyh2023, "0101", false, false),
            (Gbt21010, "07", true, true),
            (Gbt21010, "08", true, true),
            (Gbt21010, "0701", true, true),
            (Gbt21010, "0702", true, true),
            (Gbt21010, "0801", true, false),
            (Gbt21010, "0803", true, true),
            (Gbt21010, "0805", true, true),
            (Gbt21010, "0806", true, true),
            (Gbt21010, "0808", true, false),
            (Gbt21010, "0809", true, false),
            (Gbt21010, "0810", true, true),
            (Gbt21010, "0601", false, false),
            (Gbt21010, "0505", false, false),
            (Gb50137, "R", true, true),
            (Gb50137, "R1", true, true),
            (Gb50137, "R22", true, true),
            (Gb50137, "R3", true, true),
            (Gb50137, "A", true, true),
            (Gb50137, "A3", true, true),
            (Gb50137, "A31", true, false),
            (Gb50137, "A2", true, false),
            (Gb50137, "G", false, true),
            (Gb50137, "H", false, false),
            (Gb50137, "A1", true, false),
            (Gb50137, "A33", true, true),
            (Gb50137, "A5", true, true),
            (Gb50137, "A51", true, true),
            (Gb50137, "A6", true, true),
            (Gb50137, "A9", true, false),
            (Gb50137, "M1", false, false),
            (Gb50137, "G1", false, true),
            (Gb50137, "B1", false, false),
        ];
        for (system, code, hp, first) in table {
            let u = lu(*system, code);
            assert_eq!(u.is_housing_or_public(&default), *hp, "一住两公 of {system} {code}");
            assert_eq!(u.is_first_class(), *first, "first-class of {system} {code}");
        }
    }

    #[test]
    fn housing_or_public_proper_leaves_out_utilities_and_parks() {
        use CodeSystem::*;
        // (system, code, 一住两公 proper): whatever the setting, 0809 and 0810 are not homes or schools.
        let table: &[(CodeSystem, &str, bool)] = &[
            (Gbt21010, "0809", false),
            (Gbt21010, "0810", false),
            (Gbt21010, "0801", true),
            (Gbt21010, "0803", true),
            (Gbt21010, "0701", true),
            (Gbt21010, "08", true),
            (Gbt21010, "0601", false),
            (Ydyh2023, "0801", true),
            (Ydyh2023, "070101", true),
            (Ydyh2023, "1301", false),
            (Gb50137, "A1", true),
            (Gb50137, "R2", true),
            (Gb50137, "U21", false),
        ];
        for (system, code, proper) in table {
            assert_eq!(lu(*system, code).is_housing_or_public_proper(), *proper, "{system} {code}");
        }
    }

    #[test]
    fn gbt21010_0809_0810_setting() {
        let off = LandUsePolicy { gbt21010_0809_0810_public: false };
        let on = LandUsePolicy::default();
        for code in ["0809", "0810"] {
            let u = lu(CodeSystem::Gbt21010, code);
            assert!(u.is_housing_or_public(&on), "{code} included by default");
            assert!(!u.is_housing_or_public(&off), "{code} excluded when the setting is off");
        }
        // The setting touches only those two codes.
        assert!(lu(CodeSystem::Gbt21010, "0808").is_housing_or_public(&off));
        assert!(!lu(CodeSystem::Ydyh2023, "1401").is_housing_or_public(&on));
    }

    #[test]
    fn unknown_codes_and_systems_are_errors() {
        assert!(matches!(LandUse::parse(CodeSystem::Ydyh2023, "0799"), Err(LandUseError::UnknownCode { .. })));
        assert!(matches!(LandUse::parse(CodeSystem::Ydyh2023, "R1"), Err(LandUseError::UnknownCode { .. })));
        assert!(matches!(LandUse::parse(CodeSystem::Gbt21010, "070101"), Err(LandUseError::UnknownCode { .. })));
        assert!(matches!(LandUse::parse(CodeSystem::Gb50137, "R4"), Err(LandUseError::UnknownCode { .. })));
        assert!(LandUse::parse(CodeSystem::Ydyh2023, "").is_err());
        assert!("gb9999".parse::<CodeSystem>().is_err());
        assert_eq!("GBT21010".parse::<CodeSystem>().unwrap(), CodeSystem::Gbt21010);
        assert_eq!(lu(CodeSystem::Gb50137, "r2").code, "R2");
    }

    #[test]
    fn catalogues_have_no_duplicates() {
        for system in CodeSystem::ALL {
            let mut codes: Vec<_> = system.catalogue().iter().map(|(c, _)| *c).collect();
            let n = codes.len();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), n, "duplicate code in {system}");
        }
    }
}
