package dialog

// msgSevenDayReturn tells the seven-day no-reason return rule and its
// exceptions (消费者权益保护法 art. 25) in one short message; see step_sevenday.go.
const msgSevenDayReturn = "seven_day_return"

// sevenDayMessages are the messages of seven-day returns.
var sevenDayMessages = map[string]message{
	msgSevenDayReturn: {text: `温馨提示：网购、电视、电话、邮购等方式购买的商品，依据《消费者权益保护法》第二十五条，消费者有权自收到商品之日起七日内无理由退货（商品应当完好），退回运费一般由消费者承担。但以下商品除外：消费者定作的；鲜活易腐的；在线下载或者消费者拆封的音像制品、计算机软件等数字化商品；交付的报纸、期刊；以及购买时经您确认不宜退货的商品。`},
}
