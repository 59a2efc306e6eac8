/**
 * The most common passwords of 8 or more characters (shorter ones fail the length rule anyway),
 * from the public top lists of breached passwords (NCSC's "100k most common" and the RockYou
 * leak head). Lower case: the check compares case-insensitively. Kept short for the bundle:
 * together with the rules in password-policy.ts (one repeated character, a keyboard or counting
 * run, the email) it refuses what an online guesser tries first.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword pa$$word passwort motdepasse contraseña
12345678 123456789 1234567890 12345678910 0123456789 987654321 9876543210 11111111 111111111 00000000 88888888 12341234 11223344
123123123 147258369 159753456 789456123 123456789a 1234qwer 1qaz2wsx 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y zaq12wsx zaq1zaq1 qazwsxedc
qwertyui qwertyuiop qwerty123 qwerty12 qwerty1234 asdfghjk asdfghjkl zxcvbnm1 azertyuiop qwertzuiop iloveyou iloveyou1 iloveyou2
sunshine princess princess1 football football1 baseball basketball superman superman1 batman123 starwars trustno1 whatever
welcome1 welcome123 letmein1 letmein123 changeme changeme1 changeme123 default1 administrator admin123 admin1234 administrator1
computer internet michelle jennifer jessica1 charlie1 danielle samantha elizabeth christian christina alexander alexandra
football123 liverpool chelsea1 arsenal1 manchester barcelona yankees1 cowboys1 steelers dolphins mustang1 corvette ferrari1
master123 masterkey dragon123 monkey123 shadow123 michael1 jordan23 jordan123 hunter123 soccer123 hockey123 killer123 pokemon1
butterfly chocolate cookie123 sweetheart lovelove loveyou1 lovely123 babygirl babygirl1 mybaby123 angel123 flower123 summer123
spring123 winter123 autumn123 november december january1 september october1 abc12345 abcd1234 abcdefgh abcdefg1 a1b2c3d4 aa123456
qwe123456 asd123456 zxc123456 1a2b3c4d 12qwaszx q1w2e3r4 q1w2e3r4t5 password! password1! welcome! qwerty!@ 1234abcd 123abc123
secret123 security trustme1 freedom1 starwars1 matrix123 whatever1 nothing1 sunshine1 midnight blink182 metallica slipknot
rockyou1 myspace1 facebook google123 linkedin twitter1 youtube1 instagram snapchat minecraft fortnite roblox123 pokemon123
p4ssw0rd pa55word pa55w0rd passpass passw0rd1 qwerasdf asdfasdf zxcvzxcv 1qazxsw2 2wsx3edc xsw21qaz q2w3e4r5 aaaaaaaa
11111111a 12345678a a12345678 qwerty11 test1234 testtest test12345 temp1234 guest123 user1234 demo1234 login123 root1234
samsung1 iphone12 apple123 microsoft windows1 ubuntu123 oracle123 cisco123 dell1234 lenovo123 huawei123 toshiba1 hello123
helloworld hello1234 goodluck goodbye1 forever1 friends1 family123 mother123 father123 jesus123 blessed1 angels12 heaven12`
    .split(/\s+/)
    .filter((word) => word !== ''),
);
