-- MySQL dump 10.13
/*!40101 SET NAMES utf8 */;
CREATE TABLE `users` (
  `id` int NOT NULL,
  `email` varchar(255) DEFAULT NULL,
  `phone` varchar(32),
  `pw` varbinary(16)
) ENGINE=InnoDB;
INSERT INTO `users` VALUES (1,'lee@example.com','+447911123456',_binary 'ab\'c'),(2,'o\'neil@example.com',NULL,0x41FF),(3,'x\\y@z.com','',_binary '');
INSERT INTO `users` (`id`,`email`) VALUES (4,'m@example.com');
